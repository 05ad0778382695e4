package dev.ota.port.in;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.job.JobActors;
import dev.ota.domain.job.JobEvent;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Update jobs as operators drive them: Tencent's update tasks plus the campaign controls of AWS IoT
 * Jobs, hawkBit and Alibaba OTA (rate, ramp, staged groups with thresholds, schedule, timeout,
 * retries, dynamic targets).
 */
public interface JobOperations {

    default JobView create(CreateJob request) {
        return create(request, null, null);
    }

    /**
     * Idempotent create: the first request with {@code clientToken} creates the job; the same request
     * with it again (within {@link dev.ota.domain.job.ClientToken#VALIDITY}) answers that job and
     * creates nothing; another request with it is refused (CLIENT_TOKEN_REUSED). Null: as {@link #create(CreateJob)}.
     */
    default JobView create(CreateJob request, String clientToken) {
        return create(request, clientToken, null);
    }

    /** @param actor the IAM caller who asked (kept on the job as createdBy), or null */
    JobView create(CreateJob request, String clientToken, String actor);

    /**
     * A dry run of {@link #create}: the request is checked exactly as creation checks it (a refusal is
     * the same error), then its targets are counted as the job's expansion would count them now.
     * Nothing is written.
     */
    TargetCount countTargets(CreateJob request);

    /**
     * What a job created now would target.
     *
     * @param targets distinct devices the expansion would queue, or null when they cannot be counted
     *     here (thing-group and fleet-query targets: only the job worker reads the AWS IoT registry)
     * @param invalidNames names in a device list (inline or file) that are no valid device name
     * @param duplicateNames names a device list repeats (each device is targeted once)
     * @param complete false when the count stopped at its time budget ({@code targets} is then a lower bound)
     * @param note why the count is not exact, or null
     */
    record TargetCount(Long targets, long invalidNames, long duplicateNames, boolean complete, String note) {}

    /**
     * Changes a job that has not ended: rate, stage thresholds and failure actions, in-progress
     * timeout, retries, description. Devices already released keep the timeout and retries they
     * were released with.
     */
    JobView update(String jobId, UpdateJob request);

    /**
     * Deletes a finished job (COMPLETED, or CANCELED/ABORTED with no device left live) with its
     * execution rows. Empty when it is gone; else the job in DELETION_IN_PROGRESS, whose rows the
     * scheduler goes on deleting.
     */
    Optional<JobView> delete(String jobId);

    /** A device's executions across its product's jobs, newest job first (AWS's list-job-executions-for-thing). */
    Page<DeviceExecutionView> deviceHistory(String productId, String deviceName, String nextToken, int limit);

    JobView describe(String jobId);

    Page<JobView> list(String productId, String nextToken, int limit);

    default JobView pause(String jobId) {
        return pause(jobId, null);
    }

    /** @param actor the IAM caller, kept on the job as pausedBy (null: not known) */
    JobView pause(String jobId, String actor);

    default JobView resume(String jobId) {
        return resume(jobId, null);
    }

    /** @param actor the IAM caller, kept on the job as resumedBy and named in the Job Resumed event */
    JobView resume(String jobId, String actor);

    default JobView cancel(String jobId) {
        return cancel(jobId, null);
    }

    /**
     * No device gets update_firmware for this job after cancel returns.
     *
     * @param actor the IAM caller, kept on the job as canceledBy and named in the Job Canceled event
     */
    JobView cancel(String jobId, String actor);

    /**
     * How the rollout stands: each group's counts (exact, from the counters) and what its
     * thresholds say now, and its failures by result code (from the FAILED rows, at most
     * {@link #MAX_FAILURE_ROWS_READ} of them).
     */
    JobHealth health(String jobId);

    /** FAILED rows {@link #health} reads for failures by result code; beyond them the breakdown is partial. */
    int MAX_FAILURE_ROWS_READ = 2_000;

    /** The product's devices per reported firmware version (devices that never reported one are not counted). */
    FleetVersions versions(String productId);

    DeviceExecutionView cancelDevice(String jobId, String deviceName);

    /** A new attempt for one device, whatever its attempts so far. */
    DeviceExecutionView retryDevice(String jobId, String deviceName);

    /** Exact devices per status: a retried device counts once. */
    JobStatistics statistics(String jobId);

    /**
     * Counts the job's Executions rows per status and group and compares them with its counters;
     * with {@code repair}, makes the counters equal to the rows. A repair is refused (CONFLICT) while
     * the counters move during the count: pause the job, or wait for it to end, and run it again.
     * Retries are not recounted: a row keeps its attempt, not how it got there.
     */
    Recount recount(String jobId, boolean repair);

    /**
     * @param rows devices per status, counted from the job's rows
     * @param counters devices per status, as the job's counters say
     * @param differences one line per counter that differs (status, or group and status), empty when they agree
     * @param repaired true when the counters were changed to the rows' counts
     */
    record Recount(
            String jobId,
            Map<ExecutionStatus, Long> rows,
            Map<ExecutionStatus, Long> counters,
            List<String> differences,
            boolean repaired) {}

    /**
     * Tencent's per-device task list, optionally one status only. An attempt in flight shows where
     * it stands now (DELIVERED, DOWNLOADING, BURNING); a page listing one of those statuses may hold
     * fewer than {@code limit} devices, and still name a next page.
     */
    Page<DeviceExecutionView> devices(String jobId, ExecutionStatus status, String nextToken, int limit);

    /** What the cloud knows of one device: version, last seen, live execution. */
    DeviceView device(String productId, String deviceName);

    // ---- requests ----

    record CreateJob(
            String productId,
            String targetVersion,
            Targets targets,
            boolean dynamic,
            Rollout rollout,
            /** Staged groups in order ({@link Stage} checks each group as it is built). */
            List<Stage> stages,
            Instant startAt,
            Instant endAt,
            Duration inProgressTimeout,
            Retry retry,
            String description) {}

    /**
     * What an update may change; null fields stay as they are.
     *
     * @param stages thresholds of every stage, in order: as many as the job has (sizes are fixed once
     *     the targets are expanded)
     */
    record UpdateJob(
            Rollout rollout, List<StageUpdate> stages, Duration inProgressTimeout, Retry retry, String description) {}

    /** A stage's thresholds and failure action (its abort config); null fields stay as they are. */
    record StageUpdate(
            Integer successThresholdPercent,
            Integer failureThresholdPercent,
            Integer minDevicesForFailure,
            Stage.FailureAction onFailure) {}

    /** Exactly one kind of target. */
    record Targets(
            TargetType type,
            List<String> sourceVersions,
            List<String> deviceNames,
            String deviceListS3Key,
            String thingGroupName,
            String fleetQuery) {

        public Targets(TargetType type, List<String> sourceVersions, List<String> deviceNames, String deviceListS3Key) {
            this(type, sourceVersions, deviceNames, deviceListS3Key, null, null);
        }
    }

    /**
     * @param ratePerMinute devices released per minute, 1..100000
     * @param rampBaseRatePerMinute optional exponential ramp: start here, multiply by rampFactor
     *     each time rampEveryDevices more devices succeeded, up to ratePerMinute
     */
    record Rollout(int ratePerMinute, Integer rampBaseRatePerMinute, Double rampFactor, Integer rampEveryDevices) {}

    record Retry(int maxAttempts, List<Integer> retryableCodes, Duration interval) {}

    // ---- views ----

    /**
     * @param actors who created, last paused, resumed and canceled the job (IAM caller ARNs; null where none)
     * @param events the job's timeline, oldest first (the last {@link JobEvent#MAX_EVENTS})
     */
    record JobView(
            String jobId,
            String productId,
            String targetVersion,
            JobStatus state,
            boolean dynamic,
            String description,
            long targetCount,
            int currentStage,
            int stageCount,
            Map<ExecutionStatus, Long> counts,
            String stateReason,
            Instant createdAt,
            Instant startAt,
            Instant endAt,
            CreateJob definition,
            JobActors actors,
            List<JobEvent> events) {

        public JobView {
            events = events == null ? List.of() : List.copyOf(events);
        }

        public JobView(
                String jobId,
                String productId,
                String targetVersion,
                JobStatus state,
                boolean dynamic,
                String description,
                long targetCount,
                int currentStage,
                int stageCount,
                Map<ExecutionStatus, Long> counts,
                String stateReason,
                Instant createdAt,
                Instant startAt,
                Instant endAt,
                CreateJob definition,
                JobActors actors) {
            this(
                    jobId,
                    productId,
                    targetVersion,
                    state,
                    dynamic,
                    description,
                    targetCount,
                    currentStage,
                    stageCount,
                    counts,
                    stateReason,
                    createdAt,
                    startAt,
                    endAt,
                    definition,
                    actors,
                    List.of());
        }

        public JobView(
                String jobId,
                String productId,
                String targetVersion,
                JobStatus state,
                boolean dynamic,
                String description,
                long targetCount,
                int currentStage,
                int stageCount,
                Map<ExecutionStatus, Long> counts,
                String stateReason,
                Instant createdAt,
                Instant startAt,
                Instant endAt,
                CreateJob definition) {
            this(
                    jobId,
                    productId,
                    targetVersion,
                    state,
                    dynamic,
                    description,
                    targetCount,
                    currentStage,
                    stageCount,
                    counts,
                    stateReason,
                    createdAt,
                    startAt,
                    endAt,
                    definition,
                    JobActors.NONE);
        }
    }

    /**
     * A job's rollout health.
     *
     * @param failuresByCode FAILED executions per result code (-1..-5 are the device's, others as reported)
     * @param failuresRead FAILED rows read for {@code failuresByCode}
     * @param failuresComplete every FAILED row was read: false when the job has more than
     *     {@link #MAX_FAILURE_ROWS_READ}, and {@code failuresByCode} is then those rows' breakdown only
     * @param failed FAILED executions, exactly (counters)
     * @param timedOut TIMED_OUT executions, exactly (counters): the "timeout" failures
     */
    record JobHealth(
            String jobId,
            JobStatus state,
            String stateReason,
            int currentStage,
            List<StageHealth> stages,
            long failed,
            long timedOut,
            Map<Integer, Long> failuresByCode,
            long failuresRead,
            boolean failuresComplete,
            long retries,
            JobActors actors) {}

    /** Where a rollout group stands relative to the job's current group. */
    enum StagePhase {
        /** Before the current group: it met its success threshold, or an operator moved on. */
        DONE,
        CURRENT,
        /** Not started. */
        PENDING
    }

    /**
     * One rollout group (1-based {@code stage}); a job without groups shows one group of all its targets.
     *
     * @param counts devices of the group per status after release
     * @param verdict for the current group, what its thresholds say now: CONTINUE, ADVANCE, PAUSE or
     *     ABORT (the scheduler acts on it at its next tick); null for the others
     * @param verdictReason why, as the scheduler would say it
     * @param failurePercent failed and timed-out devices per hundred finished ones
     * @param successPercent succeeded devices per hundred eligible ones (entered, less skipped and canceled)
     */
    record StageHealth(
            int stage,
            long size,
            StagePhase phase,
            Map<ExecutionStatus, Long> counts,
            long entered,
            long succeeded,
            long failed,
            long timedOut,
            long live,
            double successPercent,
            double failurePercent,
            int successThresholdPercent,
            int failureThresholdPercent,
            int minDevicesForFailure,
            String verdict,
            String verdictReason) {}

    /**
     * @param devicesByVersion devices per reported version, in the index's (string) order
     * @param devices their sum
     */
    record FleetVersions(String productId, Map<String, Long> devicesByVersion, long devices) {}

    record JobStatistics(
            String jobId,
            long targetCount,
            Map<ExecutionStatus, Long> counts,
            long succeeded,
            long failed,
            long inProgress,
            long queued,
            long retries) {}

    record DeviceExecutionView(
            String jobId,
            String deviceName,
            ExecutionStatus status,
            int percent,
            int resultCode,
            String resultMsg,
            String fromVersion,
            String targetVersion,
            int attempt,
            Instant updatedAt) {}

    record DeviceView(
            String productId,
            String deviceName,
            String currentVersion,
            Instant lastSeenAt,
            DeviceExecutionView liveExecution) {}
}
