package dev.ota.domain.job;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.device.DeviceId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A job or execution state change, as announced to other systems (docs/events.md): its type (the
 * EventBridge detail-type), the job, and the detail fields of that type.
 */
public record RolloutEvent(String type, String jobId, Map<String, Object> detail) {

    public static final String JOB_CREATED = "Job Created";
    public static final String JOB_STAGE_STARTED = "Job Stage Started";
    public static final String JOB_PAUSED_BY_THRESHOLD = "Job Paused By Threshold";
    public static final String JOB_PAUSED = "Job Paused";
    public static final String JOB_RESUMED = "Job Resumed";
    public static final String JOB_ABORTED = "Job Aborted";
    public static final String JOB_CANCELED = "Job Canceled";
    public static final String JOB_COMPLETED = "Job Completed";
    public static final String EXECUTION_FINISHED = "Execution Finished";

    public RolloutEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(jobId, "jobId");
        detail = Collections.unmodifiableMap(new LinkedHashMap<>(detail));
    }

    private static Map<String, Object> fields(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                m.put(String.valueOf(keyValues[i]), keyValues[i + 1]);
            }
        }
        return m;
    }

    public static RolloutEvent jobCreated(String jobId, String productId, String targetVersion, String createdBy) {
        return new RolloutEvent(
                JOB_CREATED,
                jobId,
                fields("productId", productId, "targetVersion", targetVersion, "createdBy", createdBy));
    }

    public static RolloutEvent stageStarted(String jobId, int stage, String reason) {
        return new RolloutEvent(JOB_STAGE_STARTED, jobId, fields("stage", stage, "reason", reason));
    }

    public static RolloutEvent pausedByThreshold(String jobId, int stage, String reason) {
        return new RolloutEvent(JOB_PAUSED_BY_THRESHOLD, jobId, fields("stage", stage, "reason", reason));
    }

    /** An operator paused the job (a threshold's pause is {@link #pausedByThreshold}). */
    public static RolloutEvent paused(String jobId, String pausedBy) {
        return new RolloutEvent(JOB_PAUSED, jobId, fields("pausedBy", pausedBy));
    }

    public static RolloutEvent resumed(String jobId, String resumedBy) {
        return new RolloutEvent(JOB_RESUMED, jobId, fields("resumedBy", resumedBy));
    }

    public static RolloutEvent aborted(String jobId, int stage, String reason) {
        return new RolloutEvent(JOB_ABORTED, jobId, fields("stage", stage, "reason", reason));
    }

    public static RolloutEvent canceled(String jobId, String canceledBy) {
        return new RolloutEvent(JOB_CANCELED, jobId, fields("canceledBy", canceledBy));
    }

    /** @param counts executions per status */
    public static RolloutEvent completed(String jobId, Map<?, Long> counts) {
        Map<String, Long> byName = new LinkedHashMap<>();
        counts.forEach((status, n) -> byName.put(String.valueOf(status), n));
        return new RolloutEvent(JOB_COMPLETED, jobId, fields("counts", byName));
    }

    /** An execution reached SUCCEEDED, FAILED, TIMED_OUT or CANCELED. */
    public static RolloutEvent executionFinished(
            String jobId, DeviceId device, ExecutionStatus outcome, int attempt, int resultCode, String resultMsg) {
        return new RolloutEvent(
                EXECUTION_FINISHED,
                jobId,
                fields(
                        "productId",
                        device.productId(),
                        "deviceName",
                        device.deviceName(),
                        "status",
                        outcome.name(),
                        "attempt",
                        attempt,
                        "resultCode",
                        resultCode,
                        "resultMsg",
                        resultMsg));
    }
}
