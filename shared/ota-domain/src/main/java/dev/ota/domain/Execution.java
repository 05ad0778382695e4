package dev.ota.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * A device's execution of one job: the live state the device protocol moves.
 *
 * @param attemptStartedAt broker time the current attempt began; older reports belong to an
 *     earlier attempt and are ignored
 * @param retryNotBefore when the next attempt may start, while {@link ExecutionStatus#RETRY_PENDING}
 * @param stage the rollout group the device was released in (0 when the job has no stages)
 * @param timeout in-progress timeout of one attempt, measured from its start; null for none
 * @param resumes network failures with progress that were resumed within their attempt, over the
 *     whole execution (see {@link RetryPolicy#allowsResume})
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
        Instant retryNotBefore,
        int stage,
        Duration timeout,
        int resumes) {

    /** An execution without resumes so far. */
    public Execution(
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
            Instant retryNotBefore,
            int stage,
            Duration timeout) {
        this(
                jobId,
                firmware,
                fromVersion,
                status,
                attempt,
                percent,
                attemptStartedAt,
                updatedAt,
                resultCode,
                resultMsg,
                retryPolicy,
                retryNotBefore,
                stage,
                timeout,
                0);
    }

    /** An execution outside any staged rollout and without an in-progress timeout. */
    public Execution(
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
        this(
                jobId,
                firmware,
                fromVersion,
                status,
                attempt,
                percent,
                attemptStartedAt,
                updatedAt,
                resultCode,
                resultMsg,
                retryPolicy,
                retryNotBefore,
                0,
                null);
    }

    public String targetVersion() {
        return firmware.version();
    }

    public static Execution queued(
            String jobId, FirmwareRef firmware, String fromVersion, RetryPolicy policy, Instant at) {
        return new Execution(jobId, firmware, fromVersion, ExecutionStatus.QUEUED, 0, 0, at, at, 0, "", policy, null);
    }

    /** The same execution, released in rollout group {@code stage} with this in-progress timeout. */
    public Execution planned(int stage, Duration timeout) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                status,
                attempt,
                percent,
                attemptStartedAt,
                updatedAt,
                resultCode,
                resultMsg,
                retryPolicy,
                retryNotBefore,
                stage,
                timeout,
                resumes);
    }

    /** Starts the next attempt: the update goes (again) to the device. */
    public Execution delivered(Instant at) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                ExecutionStatus.DELIVERED,
                attempt + 1,
                0,
                at,
                at,
                0,
                "",
                retryPolicy,
                null,
                stage,
                timeout,
                resumes);
    }

    /**
     * Resumes the same attempt after a network failure with progress: the update goes to the device
     * again (it Range-resumes from its saved offset), the attempt number stays, one more resume is
     * counted, and the percent starts over for the new delivery.
     */
    public Execution resumed(Instant at) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                ExecutionStatus.DELIVERED,
                attempt,
                0,
                at,
                at,
                0,
                "",
                retryPolicy,
                null,
                stage,
                timeout,
                resumes + 1);
    }

    /** An operator's retry: a fresh first attempt, whatever the attempts and resumes so far. */
    public Execution restarted(Instant at) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                ExecutionStatus.DELIVERED,
                1,
                0,
                at,
                at,
                0,
                "",
                retryPolicy,
                null,
                stage,
                timeout,
                0);
    }

    public Execution withStatus(ExecutionStatus next, int nextPercent, Instant at) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                next,
                attempt,
                nextPercent,
                attemptStartedAt,
                at,
                resultCode,
                resultMsg,
                retryPolicy,
                retryNotBefore,
                stage,
                timeout,
                resumes);
    }

    public Execution failed(ExecutionStatus next, int code, String msg, Instant at, Instant notBefore) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                next,
                attempt,
                percent,
                attemptStartedAt,
                at,
                code,
                msg,
                retryPolicy,
                notBefore,
                stage,
                timeout,
                resumes);
    }

    /** True when going from {@code before} to this starts an attempt: update_firmware goes out. */
    public boolean startsAttemptFrom(Execution before) {
        return status == ExecutionStatus.DELIVERED
                && (before == null
                        || before.status() != ExecutionStatus.DELIVERED
                        || before.attempt() != attempt
                        || !before.attemptStartedAt().equals(attemptStartedAt));
    }

    /**
     * When the scheduler must look at this execution again: the in-progress deadline of an attempt
     * in flight, or the moment a pending retry may start. Null when nothing is due.
     */
    public Instant dueAt() {
        if (status.inFlight() && timeout != null) {
            return attemptStartedAt.plus(timeout);
        }
        if (status == ExecutionStatus.RETRY_PENDING) {
            return retryNotBefore != null ? retryNotBefore : updatedAt;
        }
        return null;
    }
}
