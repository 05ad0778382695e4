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

/**
 * Update jobs as operators drive them: Tencent's update tasks plus the campaign controls of AWS IoT
 * Jobs, hawkBit and Alibaba OTA (rate, ramp, staged groups with thresholds, schedule, timeout,
 * retries, dynamic targets).
 */
public interface JobOperations {

    JobView create(CreateJob request);

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
