package dev.ota.function.managementapi;

import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.domain.rollout.StagePlan;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.Retry;
import dev.ota.port.in.JobOperations.Rollout;
import dev.ota.port.in.JobOperations.StageUpdate;
import dev.ota.port.in.JobOperations.Targets;
import dev.ota.port.in.JobOperations.UpdateJob;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * POST /jobs, read strictly into JobOperations.CreateJob (and its clientToken); PATCH /jobs/{jobId}
 * into JobOperations.UpdateJob. The API checks shape, types and the
 * bounds the contract states; whether a job makes sense (firmware available, devices exist) is the
 * job engine's to decide.
 */
final class JobRequests {

    /**
     * Largest explicit device list in one request (the job engine stores it with the job; AWS IoT
     * Jobs takes 100 targets per CreateJob); bigger fleets use a device-list file.
     */
    static final int MAX_DEVICE_NAMES = JobDefinition.MAX_INLINE_DEVICES;

    static final int MAX_SOURCE_VERSIONS = JobDefinition.MAX_SOURCE_VERSIONS;
    static final int MAX_STAGES = StagePlan.MAX_STAGES;

    private JobRequests() {}

    /** A create request: the job asked for, and the caller's idempotency token (or null). */
    record Create(CreateJob job, String clientToken) {}

    static Create create(Body body) {
        String token = body.string("clientToken", false);
        if (token != null && !ClientToken.valid(token)) {
            throw ApiError.invalid("clientToken must be 1.." + ClientToken.MAX_LENGTH + " letters, digits, '-' or '_'");
        }
        return new Create(createJob(body), token);
    }

    /** PATCH /jobs/{jobId}: what may change on a job that has not ended. */
    static UpdateJob updateJob(Body body) {
        body.only(Set.of("rollout", "stages", "inProgressTimeoutSeconds", "retry", "description"));
        Rollout rollout = rollout(body.object("rollout", false));
        List<StageUpdate> stages = body.array("stages", false, MAX_STAGES, e -> stageUpdate(e.object()));
        Duration timeout = body.seconds(
                "inProgressTimeoutSeconds",
                JobDefinition.MIN_TIMEOUT.toSeconds(),
                JobDefinition.MAX_TIMEOUT.toSeconds());
        Retry retry = retry(body.object("retry", false));
        String description = body.string("description", false);
        if (description != null && description.length() > JobDefinition.MAX_DESCRIPTION) {
            throw ApiError.invalid("description is longer than " + JobDefinition.MAX_DESCRIPTION + " characters");
        }
        if (rollout == null && stages == null && timeout == null && retry == null && description == null) {
            throw ApiError.invalid(
                    "the update changes nothing: give rollout, stages, inProgressTimeoutSeconds, retry or description");
        }
        return new UpdateJob(rollout, stages, timeout, retry, description);
    }

    private static StageUpdate stageUpdate(Body s) {
        if (s.has("deviceCount") || s.has("percent")) {
            throw ApiError.invalid(
                    "a stage's size (deviceCount, percent) is fixed once its targets are expanded; only its thresholds and onFailure change");
        }
        s.only(Set.of("successThresholdPercent", "failureThresholdPercent", "minDevicesForFailure", "onFailure"));
        return new StageUpdate(
                s.integer("successThresholdPercent", false, 0, 100),
                s.integer("failureThresholdPercent", false, 0, 100),
                s.integer("minDevicesForFailure", false, 1, 10_000_000),
                s.enumValue("onFailure", FailureAction.class, false));
    }

    static CreateJob createJob(Body body) {
        body.only(Set.of(
                "clientToken",
                "productId",
                "targetVersion",
                "targets",
                "dynamic",
                "rollout",
                "stages",
                "startAt",
                "endAt",
                "inProgressTimeoutSeconds",
                "retry",
                "description"));
        String productId = body.string("productId", true);
        String targetVersion = body.string("targetVersion", true);
        Targets targets = targets(body.object("targets", true));
        boolean dynamic = Boolean.TRUE.equals(body.bool("dynamic", false));
        Rollout rollout = rollout(body.object("rollout", false));
        List<Stage> stages = body.array("stages", false, MAX_STAGES, e -> stage(e.object()));
        var startAt = body.instant("startAt");
        var endAt = body.instant("endAt");
        if (startAt != null && endAt != null && !endAt.isAfter(startAt)) {
            throw ApiError.invalid("endAt must be after startAt");
        }
        // 1 minute to 7 days, as AWS IoT Jobs allows (Tencent: 60..3600 s).
        Duration timeout = body.seconds("inProgressTimeoutSeconds", 60, 7L * 24 * 3600);
        Retry retry = retry(body.object("retry", false));
        String description = body.string("description", false);
        if (description != null && description.length() > 1024) {
            throw ApiError.invalid("description is longer than 1024 characters");
        }
        return new CreateJob(
                productId,
                targetVersion,
                targets,
                dynamic,
                rollout,
                stages == null ? List.of() : stages,
                startAt,
                endAt,
                timeout,
                retry,
                description == null ? "" : description);
    }

    private static Targets targets(Body t) {
        t.only(Set.of("type", "sourceVersions", "deviceNames", "deviceListS3Key", "thingGroupName", "fleetQuery"));
        TargetType type = t.enumValue("type", TargetType.class, true);
        List<String> sourceVersions = t.strings("sourceVersions", false, MAX_SOURCE_VERSIONS);
        List<String> deviceNames = t.strings("deviceNames", false, MAX_DEVICE_NAMES);
        String file = t.string("deviceListS3Key", false);
        String group = t.string("thingGroupName", false);
        String query = t.string("fleetQuery", false);
        if (type != TargetType.THING_GROUP) {
            forbid(group, "thingGroupName", type);
        }
        if (type != TargetType.FLEET_QUERY) {
            forbid(query, "fleetQuery", type);
        }
        switch (type) {
            case SOURCE_VERSIONS -> {
                require(
                        sourceVersions != null && !sourceVersions.isEmpty(),
                        "targets.sourceVersions must list at least one version for SOURCE_VERSIONS");
                forbid(deviceNames, "deviceNames", type);
                forbid(file, "deviceListS3Key", type);
            }
            case DEVICE_LIST -> {
                require(
                        deviceNames != null && !deviceNames.isEmpty(),
                        "targets.deviceNames must list at least one device for DEVICE_LIST");
                forbid(file, "deviceListS3Key", type);
                // sourceVersions may narrow an explicit list ("chosen versions limited to listed devices")
            }
            case DEVICE_LIST_FILE -> {
                require(
                        file != null && !file.isBlank() && file.length() <= 1024,
                        "targets.deviceListS3Key must name the uploaded device-list file for DEVICE_LIST_FILE");
                forbid(deviceNames, "deviceNames", type);
            }
            case PRODUCT -> {
                forbid(sourceVersions, "sourceVersions", type);
                forbid(deviceNames, "deviceNames", type);
                forbid(file, "deviceListS3Key", type);
            }
            // Names and queries are checked where every caller's are (JobDefinitions).
            case THING_GROUP, FLEET_QUERY -> {
                forbid(deviceNames, "deviceNames", type);
                forbid(file, "deviceListS3Key", type);
            }
        }
        return new Targets(
                type,
                sourceVersions == null ? List.of() : sourceVersions,
                deviceNames == null ? List.of() : deviceNames,
                file,
                group,
                query);
    }

    private static Rollout rollout(Body r) {
        if (r == null) {
            return null;
        }
        r.only(Set.of("ratePerMinute", "rampBaseRatePerMinute", "rampFactor", "rampEveryDevices"));
        int rate = r.integer("ratePerMinute", true, 1, 100_000);
        Integer base = r.integer("rampBaseRatePerMinute", false, 1, 100_000);
        Double factor = r.decimal("rampFactor", false, 1.0001, 100);
        Integer every = r.integer("rampEveryDevices", false, 1, 10_000_000);
        int given = (base == null ? 0 : 1) + (factor == null ? 0 : 1) + (every == null ? 0 : 1);
        require(
                given == 0 || given == 3,
                "rollout: an exponential ramp needs all of rampBaseRatePerMinute, rampFactor and rampEveryDevices");
        require(base == null || base <= rate, "rollout.rampBaseRatePerMinute must not exceed ratePerMinute");
        return new Rollout(rate, base, factor, every);
    }

    private static Stage stage(Body s) {
        s.only(Set.of(
                "deviceCount",
                "percent",
                "successThresholdPercent",
                "failureThresholdPercent",
                "minDevicesForFailure",
                "onFailure"));
        Integer count = s.integer("deviceCount", false, 1, 10_000_000);
        Integer percent = s.integer("percent", false, 1, 100);
        require(count == null || percent == null, "a stage is sized by deviceCount or by percent, not both");
        int success = s.integer("successThresholdPercent", true, 0, 100);
        int failure = s.integer("failureThresholdPercent", true, 0, 100);
        Integer min = s.integer("minDevicesForFailure", false, 1, 10_000_000);
        FailureAction onFailure = s.enumValue("onFailure", FailureAction.class, false);
        try {
            return new Stage(
                    count,
                    percent,
                    success,
                    failure,
                    min == null ? 1 : min,
                    onFailure == null ? FailureAction.PAUSE : onFailure);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage());
        }
    }

    private static Retry retry(Body r) {
        if (r == null) {
            return null;
        }
        r.only(Set.of("maxAttempts", "retryableCodes", "intervalSeconds"));
        int max = r.integer("maxAttempts", true, 1, RetryPolicy.MAX_ATTEMPTS_LIMIT);
        List<Integer> codes = r.array("retryableCodes", false, 5, e -> e.integer(-5, -1));
        Duration interval = r.seconds("intervalSeconds", 0, 86_400);
        return new Retry(
                max,
                codes == null ? null : List.copyOf(new LinkedHashSet<>(codes)),
                interval == null ? Duration.ZERO : interval);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw ApiError.invalid(message);
        }
    }

    private static void forbid(Object value, String field, TargetType type) {
        if (value != null) {
            throw ApiError.invalid("targets." + field + " does not go with type " + type);
        }
    }
}
