package dev.ota.function.managementapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.app.devicelist.DeviceListUploadService.DeviceListUpload;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.rollout.Stage;
import dev.ota.port.in.FirmwareOperations.FirmwareView;
import dev.ota.port.in.FirmwareOperations.PartUrl;
import dev.ota.port.in.FirmwareOperations.UploadTicket;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import dev.ota.port.in.JobOperations.DeviceView;
import dev.ota.port.in.JobOperations.JobStatistics;
import dev.ota.port.in.JobOperations.JobView;
import dev.ota.port.in.JobOperations.Recount;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
        return node;
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
