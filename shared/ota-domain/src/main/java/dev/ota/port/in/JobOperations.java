package dev.ota.port.in;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
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

    JobView create(CreateJob request);

    /**
     * Idempotent create: the first request with {@code clientToken} creates the job; the same request
     * with it again (within {@link dev.ota.domain.job.ClientToken#VALIDITY}) answers that job and
     * creates nothing; another request with it is refused (CLIENT_TOKEN_REUSED). Null: as {@link #create(CreateJob)}.
     */
    JobView create(CreateJob request, String clientToken);

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

    JobView pause(String jobId);

    JobView resume(String jobId);

    /** No device gets update_firmware for this job after cancel returns. */
    JobView cancel(String jobId);

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

    /** Tencent's per-device task list, optionally one status only. */
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
            CreateJob definition) {}

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
