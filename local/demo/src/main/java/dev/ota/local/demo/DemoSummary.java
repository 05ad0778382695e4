package dev.ota.local.demo;

import dev.ota.domain.job.JobStatus;
import dev.ota.local.demo.FleetPlan.DeviceProfile;
import dev.ota.local.demo.FleetPlan.Fault;
import dev.ota.local.demo.FleetState.ExecutionRow;
import dev.ota.local.iam.LocalIam;
import dev.ota.port.in.JobOperations.JobStatistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The demo's result. The job's state, stages and statistics come from the job engine; device states
 * from the backend's tables (ExecutionsTable rows, DevicesTable versions); the network story (bytes, drops, resumes) from the simulated devices;
 * messages, Lambda invocations and AWS calls from the local stack's counters.
 */
public final class DemoSummary {

    /** Per device: its plan, its final ExecutionsTable row (null if it was never targeted), what the device saw. */
    public record DeviceOutcome(
            DeviceProfile profile,
            ExecutionRow execution,
            String currentVersion,
            DeviceStats stats,
            String topicPrefix,
            String error) {}

    private final DemoOptions options;
    private final String md5;
    private final JobRun job;
    private final Map<String, DeviceOutcome> devices;
    private final long messagesFromDevices;
    private final long messagesToDevices;
    private final Map<String, Long> invocations;
    private final Map<String, Long> awsCalls;
    private final int deadLetters;
    private final long millis;
    private final Iam iam;
    private final List<String> problems = new ArrayList<>();

    /**
     * What IAM checked during the demo: the functions' AWS calls against their roles in template.yaml
     * and the download URLs at the bucket's endpoint; the messages of what it refused.
     */
    public record Iam(
            long calls, long permissions, long denied, long downloads, long downloadsRefused, List<String> refusals) {
        public Iam {
            refusals = List.copyOf(refusals);
        }

        static Iam between(LocalIam.Stats before, LocalIam.Stats after, List<String> refusals) {
            return new Iam(
                    after.calls() - before.calls(),
                    after.permissions() - before.permissions(),
                    after.denied() - before.denied(),
                    after.downloads() - before.downloads(),
                    after.downloadsRefused() - before.downloadsRefused(),
                    refusals);
        }
    }

    DemoSummary(
            DemoOptions options,
            String md5,
            JobRun job,
            Map<String, DeviceOutcome> devices,
            long messagesFromDevices,
            long messagesToDevices,
            Map<String, Long> invocations,
            Map<String, Long> awsCalls,
            int deadLetters,
            long millis,
            Iam iam) {
        this.options = options;
        this.md5 = md5;
        this.job = job;
        this.devices = new LinkedHashMap<>(devices);
        this.messagesFromDevices = messagesFromDevices;
        this.messagesToDevices = messagesToDevices;
        this.invocations = new TreeMap<>(invocations);
        this.awsCalls = new TreeMap<>(awsCalls);
        this.deadLetters = deadLetters;
        this.millis = millis;
        this.iam = iam;
        judge();
    }

    /** What "as designed" means; each miss is a problem the summary names. */
    private void judge() {
        if (!job.completed()) {
            problems.add("job " + job.jobId() + " is " + job.state()
                    + (job.stateReason() == null ? "" : " (" + job.stateReason() + ")") + ", not COMPLETED"
                    + (job.state() == JobStatus.IN_PROGRESS ? " before the deadline" : ""));
        }
        for (JobRun.StageRun stage : job.stages()) {
            if (!stage.started()) {
                problems.add("stage " + stage.name() + " never started");
            }
            int inGroup =
                    stage.counts().values().stream().mapToInt(Integer::intValue).sum();
            if (stage.started() && inGroup != stage.size()) {
                problems.add("stage " + stage.name() + " has " + inGroup + " executions, planned " + stage.size());
            }
        }
        long succeeded = devices.values().stream()
                .filter(d -> d.execution() != null
                        && "SUCCEEDED".equals(d.execution().status()))
                .count();
        long failed = devices.values().stream()
                .filter(d ->
                        d.execution() != null && "FAILED".equals(d.execution().status()))
                .count();
        if (job.statistics().succeeded() != succeeded || job.statistics().failed() != failed) {
            problems.add("job statistics (succeeded " + job.statistics().succeeded() + ", failed "
                    + job.statistics().failed() + ") disagree with ExecutionsTable (" + succeeded + ", " + failed
                    + ")");
        }
        for (DeviceOutcome d : devices.values()) {
            String name = d.profile().name();
            ExecutionRow row = d.execution();
            if (d.profile().fault() == Fault.CORRUPT_FIRMWARE) {
                if (row == null
                        || !"FAILED".equals(row.status())
                        || row.resultCode() != -4
                        || row.attempt() != options.maxAttempts()) {
                    problems.add(name + " (firmware always fails MD5) should be FAILED with -4 after "
                            + options.maxAttempts() + " attempts, is " + describe(row));
                }
            } else if (row == null || !"SUCCEEDED".equals(row.status())) {
                problems.add(name + " (" + d.profile().fault().label() + ") should be SUCCEEDED, is " + describe(row));
            } else if (!options.toVersion().equals(d.currentVersion())) {
                problems.add(name + " SUCCEEDED but DevicesTable says it runs " + d.currentVersion());
            }
            if (d.error() != null) {
                problems.add(name + " device error: " + d.error());
            }
        }
        if (iam.denied() > 0 || iam.downloadsRefused() > 0) {
            problems.add(iam.denied() + " AWS calls and " + iam.downloadsRefused()
                    + " downloads refused by the roles in template.yaml"
                    + (iam.refusals().isEmpty()
                            ? ""
                            : ", e.g. " + iam.refusals().get(0)));
        }
        if (deadLetters > 0) {
            problems.add(deadLetters + " rule invocations failed after their retries (dead letters)");
        }
    }

    private static String describe(ExecutionRow row) {
        return row == null
                ? "not targeted"
                : row.status() + " (attempt " + row.attempt() + ", result " + row.resultCode() + ")";
    }

    /** Every device that should update did, and the broken one failed as it should. */
    private IdentityCheck.Result identity;

    /** The identity walls' figures: a wall that did not hold is a problem. */
    DemoSummary identity(IdentityCheck.Result result) {
        this.identity = result;
        if (result != null && !result.held()) {
            problems.add("an identity wall did not hold: " + result.line());
        }
        return this;
    }

    public boolean asExpected() {
        return problems.isEmpty();
    }

    public Iam iam() {
        return iam;
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    public JobRun job() {
        return job;
    }

    public List<JobRun.StageRun> stages() {
        return job.stages();
    }

    public Map<String, DeviceOutcome> devices() {
        return devices;
    }

    public List<DeviceOutcome> withStatus(String status) {
        return devices.values().stream()
                .filter(d ->
                        d.execution() != null && status.equals(d.execution().status()))
                .toList();
    }

    public List<DeviceOutcome> withFault(Fault fault) {
        return devices.values().stream()
                .filter(d -> d.profile().fault() == fault)
                .toList();
    }

    /** New attempts after a failure, from ExecutionsTable's attempt counters. */
    public int retries() {
        return devices.values().stream()
                .filter(d -> d.execution() != null)
                .mapToInt(d -> Math.max(0, d.execution().attempt() - 1))
                .sum();
    }

    public long bytesDownloaded() {
        return devices.values().stream()
                .mapToLong(d -> d.stats().bytesDownloaded())
                .sum();
    }

    /** Bytes the devices already had when they resumed: what restarting from zero would have fetched again. */
    public long bytesSavedByResume() {
        return devices.values().stream()
                .mapToLong(d -> d.stats().bytesKeptOnResume())
                .sum();
    }

    public long firmwareBytesForFleet() {
        return (long) options.firmwareSize() * options.devices();
    }

    public int resumes() {
        return devices.values().stream().mapToInt(d -> d.stats().resumes()).sum();
    }

    public long messagesFromDevices() {
        return messagesFromDevices;
    }

    public long messagesToDevices() {
        return messagesToDevices;
    }

    public long awsCallsTotal() {
        return awsCalls.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Long> awsCalls() {
        return awsCalls;
    }

    public Map<String, Long> invocations() {
        return invocations;
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        String rule = "-".repeat(100);
        b.append('\n').append(rule).append('\n');
        b.append(
                "Demo summary (job state and statistics from the job engine; device states from ExecutionsTable and DevicesTable)\n");
        b.append(rule).append('\n');
        line(
                b,
                "Fleet",
                String.format(
                        "%d devices of %s, %s -> %s, seed %d; firmware %,d bytes, md5 %s",
                        options.devices(),
                        options.productId(),
                        options.fromVersion(),
                        options.toVersion(),
                        options.seed(),
                        options.firmwareSize(),
                        md5));
        JobStatistics stats = job.statistics();
        line(
                b,
                "Job",
                String.format(
                        "%s  %s after %.1f s%s",
                        job.jobId(),
                        job.state(),
                        job.millis() / 1000.0,
                        job.stateReason() == null ? "" : " (" + job.stateReason() + ")"));
        line(
                b,
                "",
                String.format(
                        "statistics: %d targets, succeeded %d, failed %d, in progress %d, queued %d, retries %d; %s",
                        stats.targetCount(),
                        stats.succeeded(),
                        stats.failed(),
                        stats.inProgress(),
                        stats.queued(),
                        stats.retries(),
                        stats.counts().entrySet().stream()
                                .filter(e -> e.getValue() > 0)
                                .map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", "))));
        int i = 0;
        for (JobRun.StageRun stage : job.stages()) {
            String counts = stage.counts().entrySet().stream()
                    .filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "));
            String how = !stage.started()
                    ? "never started"
                    : stage.passedReason() != null
                            ? "passed: " + stage.passedReason()
                            : i == job.stages().size() - 1 && job.completed()
                                    ? "last group, job completed"
                                    : "did not pass";
            line(
                    b,
                    i == 0 ? "Stages" : "",
                    String.format(
                            "%d/%d %-7s %3d devices  all released at +%.1f s, current for %.1f s  %s  -> %s",
                            i + 1,
                            job.stages().size(),
                            stage.name(),
                            stage.size(),
                            stage.startedAfterMs() / 1000.0,
                            Math.max(0, stage.millis()) / 1000.0,
                            counts.isEmpty() ? "-" : counts,
                            how));
            i++;
        }
        List<DeviceOutcome> succeeded = withStatus("SUCCEEDED");
        long onTarget = succeeded.stream()
                .filter(d -> options.toVersion().equals(d.currentVersion()))
                .count();
        line(
                b,
                "Updated",
                String.format(
                        "%d of %d devices SUCCEEDED; %d of them already report %s in DevicesTable",
                        succeeded.size(), options.devices(), onTarget, options.toVersion()));

        List<DeviceOutcome> notUpdated = devices.values().stream()
                .filter(d -> d.execution() == null
                        || !"SUCCEEDED".equals(d.execution().status()))
                .toList();
        line(b, "Failed", devices(notUpdated.size()));
        for (DeviceOutcome d : notUpdated) {
            ExecutionRow row = d.execution();
            String why = row == null
                    ? "never targeted"
                    : String.format(
                            "%s after %d of %d attempts: result_code %d \"%s\"",
                            row.status(), row.attempt(), options.maxAttempts(), row.resultCode(), row.resultMsg());
            line(
                    b,
                    "",
                    String.format(
                            "  %s  %s   (planned fault: %s)",
                            d.profile().name(), why, d.profile().fault().label()));
            if (d.profile().fault() == Fault.CORRUPT_FIRMWARE) {
                line(
                        b,
                        "",
                        String.format(
                                "  it reported -4 %s; its later version reports (%d re-sent) got report_version_rsp and no new update_firmware: no loop",
                                times(d.stats().failReports().getOrDefault(-4, 0)),
                                d.stats().versionReportsAfterGivingUp()));
            }
        }

        Map<Integer, Integer> fails = new TreeMap<>();
        devices.values().forEach(d -> d.stats().failReports().forEach((code, n) -> fails.merge(code, n, Integer::sum)));
        long retriedDevices = devices.values().stream()
                .filter(d -> d.execution() != null && d.execution().attempt() > 1)
                .count();
        line(
                b,
                "Retries",
                String.format(
                        "%d new attempts after a failure, on %s (ExecutionsTable attempt counters; at most %d attempts per device)",
                        retries(), devices((int) retriedDevices), options.maxAttempts()));
        line(
                b,
                "",
                "fail reports sent by devices: "
                        + (fails.isEmpty()
                                ? "none"
                                : fails.entrySet().stream()
                                        .map(e -> e.getKey() + " x" + e.getValue() + " (" + meaning(e.getKey()) + ")")
                                        .collect(Collectors.joining(", "))));

        List<DeviceOutcome> droppers = withFault(Fault.DROPS_MID_DOWNLOAD);
        int drops =
                droppers.stream().mapToInt(d -> d.stats().downloadsDropped()).sum();
        line(
                b,
                "Weak net",
                String.format(
                        "%s lost the connection mid-download (%s in all); downloads resumed with a Range request"
                                + " on a fresh URL %s; %d of them SUCCEEDED",
                        devices(droppers.size()), times(drops), times(resumes()), count(droppers, "SUCCEEDED")));
        List<DeviceOutcome> offline = withFault(Fault.OFFLINE_AT_START);
        line(
                b,
                "",
                String.format(
                        "%s offline when their stage was released, connected %s later; %d of them SUCCEEDED",
                        devices(offline.size()), range(offline), count(offline, "SUCCEEDED")));
        List<DeviceOutcome> expired = withFault(Fault.URL_EXPIRES);
        line(
                b,
                "",
                String.format(
                        "%s used their URL after it expired: HTTP 403 %s -> fail -3 -> the job's retry -> new attempt with a fresh URL;"
                                + " %d of them SUCCEEDED",
                        devices(expired.size()),
                        times(expired.stream()
                                .mapToInt(d -> d.stats().http403())
                                .sum()),
                        count(expired, "SUCCEEDED")));

        long downloaded = bytesDownloaded();
        long saved = bytesSavedByResume();
        line(
                b,
                "Bytes",
                String.format(
                        "downloaded %,d = %.1f%% of firmware size x devices (%,d x %d = %,d)",
                        downloaded,
                        100.0 * downloaded / firmwareBytesForFleet(),
                        options.firmwareSize(),
                        options.devices(),
                        firmwareBytesForFleet()));
        line(
                b,
                "",
                String.format(
                        "resume saved %,d bytes: restarting every interrupted download from zero would have fetched %,d (%.1f%%)",
                        saved, downloaded + saved, 100.0 * (downloaded + saved) / firmwareBytesForFleet()));
        line(b, "", "(the broken device fetched the whole firmware on each of its attempts; a 403 transfers none)");

        line(
                b,
                "Messages",
                String.format(
                        "%,d MQTT publishes: %,d from devices, %,d to devices (IoT Data Plane Publish); %.1f per device",
                        messagesFromDevices + messagesToDevices,
                        messagesFromDevices,
                        messagesToDevices,
                        (messagesFromDevices + messagesToDevices) / (double) options.devices()));
        long lambda = invocations.values().stream().mapToLong(Long::longValue).sum();
        line(
                b,
                "Lambda",
                String.format(
                        "%,d invocations: %s",
                        lambda,
                        invocations.entrySet().stream()
                                .filter(e -> e.getValue() > 0)
                                .map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", "))));
        line(
                b,
                "AWS calls",
                String.format(
                        "%,d made by the functions: %s",
                        awsCallsTotal(),
                        awsCalls.entrySet().stream()
                                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                                .map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", "))));
        line(
                b,
                "IAM",
                String.format(
                        "%,d of those calls checked against their function's role in template.yaml (%,d permissions), %,d refused;"
                                + " %,d downloads checked against the signing role, %,d refused",
                        iam.calls(), iam.permissions(), iam.denied(), iam.downloads(), iam.downloadsRefused()));
        if (identity != null) {
            line(b, "Identity", identity.line().substring("identity: ".length()));
        }
        long ota = devices.values().stream()
                .filter(d -> d.topicPrefix().equals("$ota"))
                .count();
        line(
                b,
                "Topics",
                String.format(
                        "%d devices on $ota/report|update/..., %d report by Basic Ingest ($aws/rules/<rule>/ota/report/...) and hear on ota/update/...",
                        ota, devices.size() - ota));
        line(b, "Time", String.format("%.1f s", millis / 1000.0));
        b.append(rule).append('\n');
        if (asExpected()) {
            b.append(
                    "Outcome: AS EXPECTED. Every device that should update did; the device with broken firmware failed after its retries.\n");
        } else {
            b.append("Outcome: NOT AS EXPECTED\n");
            problems.forEach(p -> b.append("  - ").append(p).append('\n'));
        }
        return b.toString();
    }

    private static String devices(int n) {
        return n == 1 ? "1 device" : n + " devices";
    }

    private static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }

    private static long count(List<DeviceOutcome> list, String status) {
        return list.stream()
                .filter(d ->
                        d.execution() != null && status.equals(d.execution().status()))
                .count();
    }

    private static String range(List<DeviceOutcome> offline) {
        List<Long> late = offline.stream()
                .map(d -> d.stats().connectedLateAfterMs())
                .filter(ms -> ms >= 0)
                .sorted()
                .toList();
        if (late.isEmpty()) {
            return "-";
        }
        return String.format("%.1f-%.1f s", late.get(0) / 1000.0, late.get(late.size() - 1) / 1000.0);
    }

    private static String meaning(int code) {
        return switch (code) {
            case -1 -> "download timed out";
            case -2 -> "file not found";
            case -3 -> "URL signature expired";
            case -4 -> "MD5 mismatch";
            case -5 -> "update failed";
            default -> "?";
        };
    }

    private static void line(StringBuilder b, String label, String text) {
        b.append(String.format("%-10s %s%n", label, text));
    }
}
