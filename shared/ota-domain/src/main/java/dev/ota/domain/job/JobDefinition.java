package dev.ota.domain.job;

import dev.ota.domain.RetryPolicy;
import dev.ota.domain.rollout.RolloutRate;
import dev.ota.domain.rollout.RolloutWindow;
import dev.ota.domain.rollout.Stage;
import java.time.Duration;
import java.util.List;

/**
 * A job's definition, checked: what the operator asked for (see {@code dev.ota.app.jobs.JobDefinitions}),
 * with every limit enforced and every default filled in (an in-progress timeout always: {@link #DEFAULT_TIMEOUT}). It is stored with the job and is what the scheduler works from.
 */
public record JobDefinition(
        String productId,
        String targetVersion,
        TargetType targetType,
        List<String> sourceVersions,
        List<String> deviceNames,
        String deviceListS3Key,
        /** THING_GROUP: the AWS IoT thing group (static or dynamic). */
        String thingGroupName,
        /** FLEET_QUERY: the fleet-indexing query over AWS_Things. */
        String fleetQuery,
        boolean dynamic,
        RolloutRate rate,
        List<Stage> stages,
        RolloutWindow window,
        Duration inProgressTimeout,
        RetryPolicy retryPolicy,
        String description) {

    /** Names an inline device list may hold; larger fleets go in a device-list file. */
    public static final int MAX_INLINE_DEVICES = 1_000;

    public static final int MAX_SOURCE_VERSIONS = 100;
    public static final Duration MIN_TIMEOUT = Duration.ofMinutes(1);
    public static final Duration MAX_TIMEOUT = Duration.ofDays(7);
    /**
     * The in-progress timeout of a job that names none (and of every job stored before timeouts
     * were always set): an attempt in flight this long is retried or ends TIMED_OUT, so no device
     * waits forever. Tencent's task timeout is 60..3600 s; this is its upper end.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

    /** {@link #MIN_TIMEOUT} and {@link #MAX_TIMEOUT} as help texts say them (constants, for annotations). */
    public static final String MIN_TIMEOUT_TEXT = "1m";

    public static final String MAX_TIMEOUT_TEXT = "7d";
    public static final Duration MAX_RETRY_INTERVAL = Duration.ofDays(1);
    public static final int MAX_DESCRIPTION = 1024;
    /** Device-list files live in the firmware bucket under this prefix. */
    public static final String DEVICE_LIST_PREFIX = "device-lists/";
    /** AWS IoT's thing-group names: 1-128 characters of {@code [a-zA-Z0-9:_-]} (CreateThingGroup). */
    public static final int MAX_THING_GROUP_NAME = 128;

    public static final String THING_GROUP_NAME_PATTERN = "[a-zA-Z0-9:_-]+";
    /**
     * Our limit on a fleet-indexing query. SearchIndex states no maximum length, only that a query
     * with a leading wildcard may be at most {@link #MAX_LEADING_WILDCARD_QUERY} characters.
     */
    public static final int MAX_FLEET_QUERY = 1024;

    public static final int MAX_LEADING_WILDCARD_QUERY = 100;

    /** A definition of a target type that is no thing group or fleet query. */
    public JobDefinition(
            String productId,
            String targetVersion,
            TargetType targetType,
            List<String> sourceVersions,
            List<String> deviceNames,
            String deviceListS3Key,
            boolean dynamic,
            RolloutRate rate,
            List<Stage> stages,
            RolloutWindow window,
            Duration inProgressTimeout,
            RetryPolicy retryPolicy,
            String description) {
        this(
                productId,
                targetVersion,
                targetType,
                sourceVersions,
                deviceNames,
                deviceListS3Key,
                null,
                null,
                dynamic,
                rate,
                stages,
                window,
                inProgressTimeout,
                retryPolicy,
                description);
    }

    public JobDefinition {
        sourceVersions = sourceVersions == null ? List.of() : List.copyOf(sourceVersions);
        deviceNames = deviceNames == null ? List.of() : List.copyOf(deviceNames);
        stages = stages == null ? List.of() : List.copyOf(stages);
        description = description == null ? "" : description;
        inProgressTimeout = inProgressTimeout == null ? DEFAULT_TIMEOUT : inProgressTimeout;
    }

    /** Whether a device reporting {@code version} qualifies for this job by version alone (dynamic pickup). */
    public boolean qualifiesByVersion(String version) {
        if (version == null || version.equals(targetVersion)) {
            return false;
        }
        return switch (targetType) {
            case PRODUCT -> true;
            case SOURCE_VERSIONS -> sourceVersions.contains(version);
            default -> false;
        };
    }

    /**
     * Whether a listed device on {@code version} may be updated: a list target with source versions
     * takes only devices on one of them (a device never heard from has no version, so it waits).
     */
    public boolean acceptsVersion(String version) {
        return sourceVersions.isEmpty() || (version != null && sourceVersions.contains(version));
    }
}
