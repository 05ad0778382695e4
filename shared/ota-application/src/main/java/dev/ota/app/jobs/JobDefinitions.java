package dev.ota.app.jobs;

import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.OperatorException;
import dev.ota.domain.OperatorException.Code;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.FirmwareVersion;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.RolloutRate;
import dev.ota.domain.rollout.RolloutWindow;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.StagePlan;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.Retry;
import dev.ota.port.in.JobOperations.Rollout;
import dev.ota.port.in.JobOperations.StageUpdate;
import dev.ota.port.in.JobOperations.Targets;
import dev.ota.port.in.JobOperations.UpdateJob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Between an operator's {@link CreateJob} and the {@link JobDefinition} a job stores: checked one way, shown the other. */
public final class JobDefinitions {

    private JobDefinitions() {}

    /** Checks a request; every violation is an {@link OperatorException} with code INVALID_REQUEST. */
    public static JobDefinition from(CreateJob request, Instant now) {
        if (request == null) {
            throw invalid("the request is empty");
        }
        try {
            return check(request, now);
        } catch (InvalidMessageException | IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /**
     * A static job of an explicit device list, already checked by its caller, with the engine's
     * defaults for everything else: no rate limit, no stages, no schedule, the default in-progress
     * timeout ({@link JobDefinition#DEFAULT_TIMEOUT}).
     * The update-devices function's jobs.
     *
     * @param keptNames the names stored with the job (empty when they do not fit on the job item;
     *     the caller then hands them to {@link JobEngine#rollOutNow})
     */
    public static JobDefinition deviceList(
            String productId,
            String targetVersion,
            List<String> keptNames,
            RetryPolicy retryPolicy,
            String description) {
        return new JobDefinition(
                productId,
                targetVersion,
                TargetType.DEVICE_LIST,
                List.of(),
                keptNames,
                null,
                false,
                rate(null),
                List.of(),
                new RolloutWindow(null, null),
                null,
                retryPolicy,
                description);
    }

    /**
     * {@code current} with an operator's update applied: rate, stage thresholds and failure actions,
     * in-progress timeout, retries, description; targets, schedule and stage sizes stay. Every
     * violation (and an update that names nothing) is an {@link OperatorException} INVALID_REQUEST.
     */
    public static JobDefinition update(JobDefinition current, UpdateJob u) {
        if (u == null
                || u.rollout() == null
                        && u.stages() == null
                        && u.inProgressTimeout() == null
                        && u.retry() == null
                        && u.description() == null) {
            throw invalid(
                    "the update changes nothing: give rollout, stages, inProgressTimeoutSeconds, retry or description");
        }
        try {
            RolloutRate rate = u.rollout() == null ? current.rate() : rate(u.rollout());
            List<Stage> stages = current.stages();
            if (u.stages() != null) {
                if (u.stages().size() != current.stages().size()) {
                    throw new IllegalArgumentException(
                            "stages lists " + u.stages().size() + " stages; the job has "
                                    + current.stages().size() + " (a stage's size cannot change, its thresholds can)");
                }
                List<Stage> changed = new ArrayList<>();
                for (int i = 0; i < stages.size(); i++) {
                    Stage s = stages.get(i);
                    StageUpdate c = u.stages().get(i);
                    changed.add(
                            c == null
                                    ? s
                                    : new Stage(
                                            s.deviceCount(),
                                            s.percent(),
                                            c.successThresholdPercent() == null
                                                    ? s.successThresholdPercent()
                                                    : c.successThresholdPercent(),
                                            c.failureThresholdPercent() == null
                                                    ? s.failureThresholdPercent()
                                                    : c.failureThresholdPercent(),
                                            c.minDevicesForFailure() == null
                                                    ? s.minDevicesForFailure()
                                                    : c.minDevicesForFailure(),
                                            c.onFailure() == null ? s.onFailure() : c.onFailure()));
                }
                stages = List.copyOf(changed);
            }
            Duration timeout = u.inProgressTimeout() == null ? current.inProgressTimeout() : u.inProgressTimeout();
            checkTimeout(timeout);
            RetryPolicy retry = u.retry() == null ? current.retryPolicy() : retry(u.retry());
            String description = u.description() == null ? current.description() : u.description();
            if (description.length() > JobDefinition.MAX_DESCRIPTION) {
                throw new IllegalArgumentException(
                        "description is longer than " + JobDefinition.MAX_DESCRIPTION + " characters");
            }
            return new JobDefinition(
                    current.productId(),
                    current.targetVersion(),
                    current.targetType(),
                    current.sourceVersions(),
                    current.deviceNames(),
                    current.deviceListS3Key(),
                    current.dynamic(),
                    rate,
                    stages,
                    current.window(),
                    timeout,
                    retry,
                    description);
        } catch (InvalidMessageException | IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /**
     * What "the same request" means for a client token: SHA-256 of the checked definition as the job
     * stores it (defaults filled in, names de-duplicated), hex.
     */
    public static String fingerprint(JobDefinition d) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(JobDefinitionJson.encode(d).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void checkTimeout(Duration timeout) {
        if (timeout != null
                && (timeout.compareTo(JobDefinition.MIN_TIMEOUT) < 0
                        || timeout.compareTo(JobDefinition.MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("inProgressTimeout must be 1 minute..7 days");
        }
    }

    private static JobDefinition check(CreateJob r, Instant now) {
        new DeviceId(r.productId(), "x");
        FirmwareVersion.requireStorable("targetVersion", r.targetVersion());
        Targets t = r.targets();
        if (t == null || t.type() == null) {
            throw new IllegalArgumentException(
                    "targets.type is required: SOURCE_VERSIONS, DEVICE_LIST, DEVICE_LIST_FILE, PRODUCT,"
                            + " THING_GROUP or FLEET_QUERY");
        }
        List<String> versions = List.of();
        List<String> names = List.of();
        String key = null;
        String group = null;
        String query = null;
        switch (t.type()) {
            case SOURCE_VERSIONS -> {
                onlyField(t, "sourceVersions");
                if (t.sourceVersions() == null || t.sourceVersions().isEmpty()) {
                    throw new IllegalArgumentException("targets.sourceVersions must list at least one version");
                }
                versions = versions(t.sourceVersions(), r.targetVersion());
            }
            case DEVICE_LIST -> {
                onlyField(t, "deviceNames", "sourceVersions");
                versions = versions(t.sourceVersions(), r.targetVersion());
                if (t.deviceNames() == null || t.deviceNames().isEmpty()) {
                    throw new IllegalArgumentException("targets.deviceNames must list at least one device");
                }
                if (t.deviceNames().size() > JobDefinition.MAX_INLINE_DEVICES) {
                    throw new IllegalArgumentException(
                            "targets.deviceNames lists " + t.deviceNames().size() + " devices, over "
                                    + JobDefinition.MAX_INLINE_DEVICES + "; use a device-list file (DEVICE_LIST_FILE)");
                }
                Set<String> unique = new LinkedHashSet<>();
                for (String name : t.deviceNames()) {
                    unique.add(new DeviceId(r.productId(), name).deviceName());
                }
                names = List.copyOf(unique);
            }
            case DEVICE_LIST_FILE -> {
                onlyField(t, "deviceListS3Key", "sourceVersions");
                versions = versions(t.sourceVersions(), r.targetVersion());
                key = t.deviceListS3Key();
                if (key == null || key.isBlank() || key.length() > 1024) {
                    throw new IllegalArgumentException(
                            "targets.deviceListS3Key must be an S3 key of 1..1024 characters");
                }
                if (!key.startsWith(JobDefinition.DEVICE_LIST_PREFIX) || key.contains("..")) {
                    throw new IllegalArgumentException("targets.deviceListS3Key must lie under "
                            + JobDefinition.DEVICE_LIST_PREFIX + " in the firmware bucket");
                }
            }
            case PRODUCT -> onlyField(t);
            case THING_GROUP -> {
                onlyField(t, "thingGroupName", "sourceVersions");
                versions = versions(t.sourceVersions(), r.targetVersion());
                group = t.thingGroupName();
                if (group == null
                        || group.isEmpty()
                        || group.length() > JobDefinition.MAX_THING_GROUP_NAME
                        || !group.matches(JobDefinition.THING_GROUP_NAME_PATTERN)) {
                    throw new IllegalArgumentException("targets.thingGroupName must be an AWS IoT thing-group name: 1.."
                            + JobDefinition.MAX_THING_GROUP_NAME + " characters of a-z A-Z 0-9 : _ -");
                }
                registryTargetsAreSnapshots(r);
            }
            case FLEET_QUERY -> {
                onlyField(t, "fleetQuery", "sourceVersions");
                versions = versions(t.sourceVersions(), r.targetVersion());
                query = fleetQuery(t.fleetQuery());
                registryTargetsAreSnapshots(r);
            }
            default -> throw new IllegalArgumentException("unknown target type " + t.type());
        }
        RolloutRate rate = rate(r.rollout());
        List<Stage> stages = stages(r.stages());
        RolloutWindow window = new RolloutWindow(r.startAt(), r.endAt());
        if (r.endAt() != null && !r.endAt().isAfter(now)) {
            throw new IllegalArgumentException("endAt must be in the future");
        }
        Duration timeout = r.inProgressTimeout();
        checkTimeout(timeout);
        String description = r.description() == null ? "" : r.description();
        if (description.length() > JobDefinition.MAX_DESCRIPTION) {
            throw new IllegalArgumentException(
                    "description is longer than " + JobDefinition.MAX_DESCRIPTION + " characters");
        }
        return new JobDefinition(
                r.productId(),
                r.targetVersion(),
                t.type(),
                versions,
                names,
                key,
                group,
                query,
                r.dynamic(),
                rate,
                stages,
                window,
                timeout,
                retry(r.retry()),
                description);
    }

    /** Source versions, checked; for list targets they narrow the list (Tencent: "chosen versions limited to listed devices"). */
    private static List<String> versions(List<String> requested, String target) {
        if (requested == null || requested.isEmpty()) {
            return List.of();
        }
        if (requested.size() > JobDefinition.MAX_SOURCE_VERSIONS) {
            throw new IllegalArgumentException(
                    "targets.sourceVersions lists more than " + JobDefinition.MAX_SOURCE_VERSIONS + " versions");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String v : requested) {
            unique.add(FirmwareVersion.require("targets.sourceVersions[]", v));
        }
        if (unique.contains(target)) {
            throw new IllegalArgumentException("targets.sourceVersions must not contain the target version " + target);
        }
        return List.copyOf(unique);
    }

    /**
     * A fleet-indexing query as SearchIndex takes it: 1..{@link JobDefinition#MAX_FLEET_QUERY}
     * characters, no control characters, and at most {@link JobDefinition#MAX_LEADING_WILDCARD_QUERY}
     * with a leading wildcard (AWS's limit). Its syntax is the registry's to judge: a query it
     * refuses ends the job's expansion with the registry's reason.
     */
    private static String fleetQuery(String query) {
        if (query == null || query.isBlank() || query.length() > JobDefinition.MAX_FLEET_QUERY) {
            throw new IllegalArgumentException("targets.fleetQuery must be a fleet-indexing query of 1.."
                    + JobDefinition.MAX_FLEET_QUERY + " characters");
        }
        if (query.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("targets.fleetQuery must not contain control characters");
        }
        if (query.matches("(?s).*(^|[\\s:(])\\*.*") && query.length() > JobDefinition.MAX_LEADING_WILDCARD_QUERY) {
            throw new IllegalArgumentException("targets.fleetQuery with a leading wildcard may be at most "
                    + JobDefinition.MAX_LEADING_WILDCARD_QUERY + " characters (AWS IoT fleet indexing)");
        }
        return query.strip();
    }

    /**
     * Thing-group and fleet-query targets are read from the registry once, when the job is expanded
     * (AWS IoT's snapshot jobs): a dynamic job picks devices up by the version they report, which
     * says nothing of a group or query.
     */
    private static void registryTargetsAreSnapshots(CreateJob r) {
        if (r.dynamic()) {
            throw new IllegalArgumentException("targets of type " + r.targets().type()
                    + " are read once, when the job starts, and cannot be dynamic");
        }
    }

    private static void onlyField(Targets t, String... allowed) {
        List<String> present = new ArrayList<>();
        if (t.sourceVersions() != null && !t.sourceVersions().isEmpty()) {
            present.add("sourceVersions");
        }
        if (t.deviceNames() != null && !t.deviceNames().isEmpty()) {
            present.add("deviceNames");
        }
        if (t.deviceListS3Key() != null) {
            present.add("deviceListS3Key");
        }
        if (t.thingGroupName() != null) {
            present.add("thingGroupName");
        }
        if (t.fleetQuery() != null) {
            present.add("fleetQuery");
        }
        present.removeAll(List.of(allowed));
        if (!present.isEmpty()) {
            throw new IllegalArgumentException(
                    "targets of type " + t.type() + " must not set " + String.join(", ", present));
        }
    }

    private static RolloutRate rate(Rollout rollout) {
        if (rollout == null) {
            return RolloutRate.constant(RolloutRate.MAX_PER_MINUTE);
        }
        return new RolloutRate(
                rollout.ratePerMinute(),
                rollout.rampBaseRatePerMinute(),
                rollout.rampFactor(),
                rollout.rampEveryDevices());
    }

    private static List<Stage> stages(List<Stage> requested) {
        if (requested == null || requested.isEmpty()) {
            return List.of();
        }
        if (requested.size() > StagePlan.MAX_STAGES) {
            throw new IllegalArgumentException("at most " + StagePlan.MAX_STAGES + " stages");
        }
        for (int i = 0; i < requested.size(); i++) {
            Stage s = requested.get(i);
            if (s == null) {
                throw new IllegalArgumentException("stage " + (i + 1) + " is empty");
            }
            if (i < requested.size() - 1 && s.deviceCount() == null && s.percent() == null) {
                throw new IllegalArgumentException(
                        "stage " + (i + 1) + " needs deviceCount or percent (only the last stage takes the rest)");
            }
        }
        return List.copyOf(requested);
    }

    private static RetryPolicy retry(Retry retry) {
        if (retry == null) {
            return RetryPolicy.DEFAULT;
        }
        Set<Integer> codes = retry.retryableCodes() == null
                ? RetryPolicy.DEFAULT.retryableCodes()
                : new HashSet<>(retry.retryableCodes());
        for (Integer code : codes) {
            if (code == null || code < -5 || code > -1) {
                throw new IllegalArgumentException("retry.retryableCodes must be among -1..-5");
            }
        }
        Duration interval = retry.interval() == null ? Duration.ZERO : retry.interval();
        if (interval.isNegative() || interval.compareTo(JobDefinition.MAX_RETRY_INTERVAL) > 0) {
            throw new IllegalArgumentException("retry.interval must be 0..1 day");
        }
        if (retry.maxAttempts() < 1 || retry.maxAttempts() > RetryPolicy.MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("retry.maxAttempts must be 1.." + RetryPolicy.MAX_ATTEMPTS_LIMIT
                    + " (attempts in all, the first included)");
        }
        return new RetryPolicy(retry.maxAttempts(), codes, interval);
    }

    private static OperatorException invalid(String message) {
        return new OperatorException(Code.INVALID_REQUEST, message);
    }

    /** The request this definition came from, defaults filled in: what describe() shows. */
    public static CreateJob toRequest(JobDefinition d) {
        return new CreateJob(
                d.productId(),
                d.targetVersion(),
                new Targets(
                        d.targetType(),
                        d.sourceVersions().isEmpty() ? null : d.sourceVersions(),
                        d.targetType() == TargetType.DEVICE_LIST ? d.deviceNames() : null,
                        d.deviceListS3Key(),
                        d.thingGroupName(),
                        d.fleetQuery()),
                d.dynamic(),
                new Rollout(
                        d.rate().maxRatePerMinute(),
                        d.rate().baseRatePerMinute(),
                        d.rate().factor(),
                        d.rate().everySucceeded()),
                d.stages(),
                d.window().startAt(),
                d.window().endAt(),
                d.inProgressTimeout(),
                new Retry(
                        d.retryPolicy().maxAttempts(),
                        d.retryPolicy().retryableCodes().stream().sorted().toList(),
                        d.retryPolicy().retryInterval()),
                d.description());
    }
}
