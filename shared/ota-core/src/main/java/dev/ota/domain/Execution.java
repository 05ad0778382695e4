package dev.ota.domain;

import java.time.Instant;

/**
 * A device's execution of one job: the live state the device protocol moves.
 *
 * @param attemptStartedAt broker time the current attempt began; older reports belong to an
 *     earlier attempt and are ignored
 * @param retryNotBefore when the next attempt may start, while {@link ExecutionStatus#RETRY_PENDING}
 */
public record Execution(
        String jobId,
        FirmwareRef firmware,
        String fromVersion,
        ExecutionStatus status,
        int attempt,
        int percent,
        Instant attemptStartedAt,
        Instant updatedAt,
        int resultCode,
        String resultMsg,
        RetryPolicy retryPolicy,
        Instant retryNotBefore) {

    public String targetVersion() {
        return firmware.version();
    }

    public static Execution queued(String jobId, FirmwareRef firmware, String fromVersion, RetryPolicy policy, Instant at) {
        return new Execution(jobId, firmware, fromVersion, ExecutionStatus.QUEUED, 0, 0, at, at, 0, "", policy, null);
    }

    /** Starts the next attempt: the update goes (again) to the device. */
    public Execution delivered(Instant at) {
        return new Execution(jobId, firmware, fromVersion, ExecutionStatus.DELIVERED, attempt + 1, 0, at, at, 0, "", retryPolicy, null);
    }

    public Execution withStatus(ExecutionStatus next, int nextPercent, Instant at) {
        return new Execution(jobId, firmware, fromVersion, next, attempt, nextPercent, attemptStartedAt, at, resultCode, resultMsg, retryPolicy, retryNotBefore);
    }

    public Execution failed(ExecutionStatus next, int code, String msg, Instant at, Instant notBefore) {
        return new Execution(jobId, firmware, fromVersion, next, attempt, percent, attemptStartedAt, at, code, msg, retryPolicy, notBefore);
    }
}
