package dev.ota.function.managementapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.app.devicelist.DeviceListUploadService.DeviceListUpload;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.job.JobActors;
import dev.ota.domain.job.JobEvent;
import dev.ota.domain.rollout.Stage;
import dev.ota.port.in.FirmwareOperations.FirmwareView;
import dev.ota.port.in.FirmwareOperations.PartUrl;
import dev.ota.port.in.FirmwareOperations.UploadTicket;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import dev.ota.port.in.JobOperations.DeviceView;
import dev.ota.port.in.JobOperations.FleetVersions;
import dev.ota.port.in.JobOperations.JobHealth;
import dev.ota.port.in.JobOperations.JobStatistics;
import dev.ota.port.in.JobOperations.JobView;
import dev.ota.port.in.JobOperations.Recount;
import dev.ota.port.in.JobOperations.StageHealth;
import dev.ota.port.in.JobOperations.TargetCount;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The API's response bodies, written field by field: the wire format is the API's contract
 * (docs/openapi.yaml), not whatever the Java records happen to hold. Times are ISO-8601 UTC strings,
 * durations whole seconds, absent values {@code null}.
 */
final class JsonViews {

    private final ObjectMapper json;

    JsonViews(ObjectMapper json) {
        this.json = json;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Long seconds(Duration d) {
        return d == null ? null : d.toSeconds();
    }

    <T> ObjectNode page(Page<T> page, Function<T, ObjectNode> item) {
        ObjectNode node = json.createObjectNode();
        ArrayNode items = node.putArray("items");
        page.items().forEach(i -> items.add(item.apply(i)));
        node.put("nextToken", page.nextToken());
        return node;
    }

    ObjectNode firmware(FirmwareView f) {
        ObjectNode node = json.createObjectNode();
        node.put("productId", f.productId());
        node.put("version", f.version());
        node.put("status", f.status());
        node.put("s3Key", f.s3Key());
        node.put("fileSize", f.fileSize());
        node.put("md5sum", f.md5sum());
        node.put("sha256", f.sha256());
        node.put("description", f.description());
        node.put("rejectionReason", f.rejectionReason());
        node.put("createdAt", time(f.createdAt()));
        node.put("registeredAt", time(f.registeredAt()));
        return node;
    }

    ObjectNode uploadTicket(UploadTicket t) {
        ObjectNode node = json.createObjectNode();
        node.put("productId", t.productId());
        node.put("version", t.version());
        node.put("s3Key", t.s3Key());
        node.put("method", t.method());
        node.put("url", t.url());
        node.put("uploadId", t.uploadId());
        node.put("partSize", t.partSize());
        ArrayNode parts = node.putArray("parts");
        for (PartUrl p : t.parts()) {
            parts.addObject().put("partNumber", p.partNumber()).put("url", p.url());
        }
        node.put("expiresAt", time(t.expiresAt()));
        return node;
    }

    ObjectNode deviceListUpload(DeviceListUpload u) {
        ObjectNode node = json.createObjectNode();
        node.put("productId", u.productId());
        node.put("s3Key", u.s3Key());
        node.put("method", u.method());
        node.put("url", u.url());
        node.put("expiresAt", time(u.expiresAt()));
        return node;
    }

    /** Devices whose execution ended (a terminal status), so that clients need no list of those statuses. */
    static long finished(Map<ExecutionStatus, Long> counts) {
        long n = 0;
        if (counts != null) {
            for (Map.Entry<ExecutionStatus, Long> c : counts.entrySet()) {
                n += c.getKey().terminal() && c.getValue() != null ? c.getValue() : 0;
            }
        }
        return n;
    }

    ObjectNode counts(Map<ExecutionStatus, Long> counts) {
        ObjectNode node = json.createObjectNode();
        for (ExecutionStatus status : ExecutionStatus.values()) {
            Long n = counts == null ? null : counts.get(status);
            node.put(status.name(), n == null ? 0 : n);
        }
        return node;
    }

    ObjectNode job(JobView j) {
        ObjectNode node = json.createObjectNode();
        node.put("jobId", j.jobId());
        node.put("productId", j.productId());
        node.put("targetVersion", j.targetVersion());
        node.put("state", j.state() == null ? null : j.state().name());
        // What the state means, so that clients keep no list of states: nothing more happens once ended;
        // stopped: ended before it ran its course (canceled or aborted).
        node.put("ended", j.state() != null && j.state().ended());
        node.put("stopped", j.state() != null && j.state().stopped());
        node.put("stateReason", j.stateReason());
        node.put("dynamic", j.dynamic());
        node.put("description", j.description());
        node.put("targetCount", j.targetCount());
        node.put("currentStage", j.currentStage());
        node.put("stageCount", j.stageCount());
        node.set("counts", counts(j.counts()));
        node.put("finished", finished(j.counts()));
        node.put("createdAt", time(j.createdAt()));
        node.put("startAt", time(j.startAt()));
        node.put("endAt", time(j.endAt()));
        node.set("definition", j.definition() == null ? null : definition(j.definition()));
        actors(node, j.actors());
        return node;
    }

    /** A job with its timeline (GET /jobs/{jobId} only: a list of jobs stays small). */
    ObjectNode jobWithEvents(JobView j) {
        ObjectNode node = job(j);
        var events = node.putArray("events");
        for (JobEvent ev : j.events()) {
            ObjectNode e = events.addObject();
            e.put("at", time(ev.at()));
            e.put("kind", ev.kind().name());
            e.put("actor", ev.actor());
            e.put("detail", ev.detail());
        }
        return node;
    }

    /** IAM callers (ARNs) behind the job's operator actions; null where nobody acted or none was known. */
    private static void actors(ObjectNode node, JobActors a) {
        JobActors actors = a == null ? JobActors.NONE : a;
        node.put("createdBy", actors.createdBy());
        node.put("pausedBy", actors.pausedBy());
        node.put("resumedBy", actors.resumedBy());
        node.put("canceledBy", actors.canceledBy());
    }

    ObjectNode health(JobHealth h) {
        ObjectNode node = json.createObjectNode();
        node.put("jobId", h.jobId());
        node.put("state", h.state() == null ? null : h.state().name());
        node.put("stateReason", h.stateReason());
        node.put("currentStage", h.currentStage());
        ArrayNode stages = node.putArray("stages");
        for (StageHealth st : h.stages()) {
            ObjectNode s = stages.addObject();
            s.put("stage", st.stage());
            s.put("size", st.size());
            s.put("phase", st.phase().name());
            s.set("counts", counts(st.counts()));
            s.put("entered", st.entered());
            s.put("succeeded", st.succeeded());
            s.put("failed", st.failed());
            s.put("timedOut", st.timedOut());
            s.put("live", st.live());
            s.put("successPercent", round(st.successPercent()));
            s.put("failurePercent", round(st.failurePercent()));
            s.put("successThresholdPercent", st.successThresholdPercent());
            s.put("failureThresholdPercent", st.failureThresholdPercent());
            s.put("minDevicesForFailure", st.minDevicesForFailure());
            s.put("verdict", st.verdict());
            s.put("verdictReason", st.verdictReason());
        }
        node.put("failed", h.failed());
        node.put("timedOut", h.timedOut());
        // The device's codes -1..-5 always (zeros included), other codes as met, and "timeout".
        ObjectNode byCode = node.putObject("failuresByCode");
        Map<Integer, Long> codes = new TreeMap<>(Comparator.reverseOrder());
        for (int code = -1; code >= -5; code--) {
            codes.put(code, 0L);
        }
        codes.putAll(h.failuresByCode());
        codes.forEach((code, n) -> byCode.put(String.valueOf(code), n));
        byCode.put("timeout", h.timedOut());
        node.put("failuresRead", h.failuresRead());
        node.put("failuresComplete", h.failuresComplete());
        node.put("retries", h.retries());
        actors(node, h.actors());
        return node;
    }

    ObjectNode versions(FleetVersions v) {
        ObjectNode node = json.createObjectNode();
        node.put("productId", v.productId());
        node.put("devices", v.devices());
        ArrayNode versions = node.putArray("versions");
        v.devicesByVersion().forEach((version, n) -> {
            ObjectNode e = versions.addObject();
            e.put("version", version);
            e.put("devices", n);
            e.put("percent", v.devices() == 0 ? 0 : round(100.0 * n / v.devices()));
        });
        return node;
    }

    /** Percentages to two decimals: enough to read, stable to compare. */
    private static double round(double percent) {
        return Math.round(percent * 100) / 100.0;
    }

    /** The job's definition in the same shape POST /jobs takes. */
    ObjectNode definition(CreateJob c) {
        ObjectNode node = json.createObjectNode();
        node.put("productId", c.productId());
        node.put("targetVersion", c.targetVersion());
        if (c.targets() != null) {
            ObjectNode t = node.putObject("targets");
            t.put("type", c.targets().type() == null ? null : c.targets().type().name());
            if (c.targets().sourceVersions() != null) {
                c.targets().sourceVersions().forEach(t.putArray("sourceVersions")::add);
            }
            if (c.targets().deviceNames() != null) {
                c.targets().deviceNames().forEach(t.putArray("deviceNames")::add);
            }
            if (c.targets().deviceListS3Key() != null) {
                t.put("deviceListS3Key", c.targets().deviceListS3Key());
            }
            if (c.targets().thingGroupName() != null) {
                t.put("thingGroupName", c.targets().thingGroupName());
            }
            if (c.targets().fleetQuery() != null) {
                t.put("fleetQuery", c.targets().fleetQuery());
            }
        }
        node.put("dynamic", c.dynamic());
        if (c.rollout() != null) {
            ObjectNode r = node.putObject("rollout");
            r.put("ratePerMinute", c.rollout().ratePerMinute());
            r.put("rampBaseRatePerMinute", c.rollout().rampBaseRatePerMinute());
            r.put("rampFactor", c.rollout().rampFactor());
            r.put("rampEveryDevices", c.rollout().rampEveryDevices());
        }
        ArrayNode stages = node.putArray("stages");
        for (Stage s : c.stages() == null ? List.<Stage>of() : c.stages()) {
            ObjectNode st = stages.addObject();
            st.put("deviceCount", s.deviceCount());
            st.put("percent", s.percent());
            st.put("successThresholdPercent", s.successThresholdPercent());
            st.put("failureThresholdPercent", s.failureThresholdPercent());
            st.put("minDevicesForFailure", s.minDevicesForFailure());
            st.put("onFailure", s.onFailure() == null ? null : s.onFailure().name());
        }
        node.put("startAt", time(c.startAt()));
        node.put("endAt", time(c.endAt()));
        node.put("inProgressTimeoutSeconds", seconds(c.inProgressTimeout()));
        if (c.retry() != null) {
            ObjectNode r = node.putObject("retry");
            r.put("maxAttempts", c.retry().maxAttempts());
            ArrayNode codes = r.putArray("retryableCodes");
            if (c.retry().retryableCodes() != null) {
                c.retry().retryableCodes().forEach(codes::add);
            }
            r.put("intervalSeconds", seconds(c.retry().interval()));
        }
        node.put("description", c.description());
        return node;
    }

    ObjectNode statistics(JobStatistics s) {
        ObjectNode node = json.createObjectNode();
        node.put("jobId", s.jobId());
        node.put("targetCount", s.targetCount());
        node.set("counts", counts(s.counts()));
        node.put("finished", finished(s.counts()));
        node.put("succeeded", s.succeeded());
        node.put("failed", s.failed());
        node.put("inProgress", s.inProgress());
        node.put("queued", s.queued());
        node.put("retries", s.retries());
        return node;
    }

    ObjectNode targetCount(TargetCount c) {
        ObjectNode node = json.createObjectNode();
        if (c.targets() == null) {
            node.putNull("targets");
        } else {
            node.put("targets", c.targets());
        }
        node.put("invalidDeviceNames", c.invalidNames());
        node.put("duplicateDeviceNames", c.duplicateNames());
        node.put("complete", c.complete());
        node.put("note", c.note());
        return node;
    }

    ObjectNode recount(Recount r) {
        ObjectNode node = json.createObjectNode();
        node.put("jobId", r.jobId());
        node.set("rows", counts(r.rows()));
        node.set("counters", counts(r.counters()));
        node.put("consistent", r.differences().isEmpty());
        r.differences().forEach(node.putArray("differences")::add);
        node.put("repaired", r.repaired());
        return node;
    }

    ObjectNode execution(DeviceExecutionView e) {
        ObjectNode node = json.createObjectNode();
        node.put("jobId", e.jobId());
        node.put("deviceName", e.deviceName());
        node.put("status", e.status() == null ? null : e.status().name());
        node.put("percent", e.percent());
        node.put("resultCode", e.resultCode());
        node.put("resultMsg", e.resultMsg());
        node.put("fromVersion", e.fromVersion());
        node.put("targetVersion", e.targetVersion());
        node.put("attempt", e.attempt());
        node.put("updatedAt", time(e.updatedAt()));
        return node;
    }

    ObjectNode device(DeviceView d) {
        ObjectNode node = json.createObjectNode();
        node.put("productId", d.productId());
        node.put("deviceName", d.deviceName());
        node.put("currentVersion", d.currentVersion());
        node.put("lastSeenAt", time(d.lastSeenAt()));
        node.set("liveExecution", d.liveExecution() == null ? null : execution(d.liveExecution()));
        return node;
    }

    ObjectNode error(String code, String message) {
        return json.createObjectNode().put("code", code).put("message", message);
    }
}
