package dev.ota.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A device's execution of one job: the live state the device protocol moves.
 *
 * @param attemptStartedAt broker time the current attempt began; older reports belong to an
 *     earlier attempt and are ignored
 * @param retryNotBefore when the next attempt may start, while {@link ExecutionStatus#RETRY_PENDING}
 * @param stage the rollout group the device was released in (0 when the job has no stages)
 * @param timeout in-progress timeout of one attempt, measured from its start; null for none
 * @param downloadAt receive time of the newest downloading report of this run; null for none
 * @param history the distinct events of this run, oldest first, that the status is the replay of
 *     ({@link ExecutionStateMachine}); empty until the first event after release or restart
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
        Instant downloadAt,
        List<ExecutionEvent> history) {

    public Execution {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** An execution with no history yet. */
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
                null,
                List.of());
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
                downloadAt,
                history);
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
                downloadAt,
                history);
    }

    /** An operator's retry: a fresh first attempt, whatever the attempts so far; its history starts anew. */
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
                null,
                List.of());
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
                downloadAt,
                history);
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
                downloadAt,
                history);
    }

    /** The same execution with this history (the state machine's replay sets the rest). */
    public Execution withHistory(List<ExecutionEvent> events) {
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
                downloadAt,
                events);
    }

    /** The same execution having heard a downloading report: percent and download time only rise. */
    public Execution withDownload(int reportedPercent, Instant at) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                status,
                attempt,
                Math.max(percent, reportedPercent),
                attemptStartedAt,
                updatedAt,
                resultCode,
                resultMsg,
                retryPolicy,
                retryNotBefore,
                stage,
                timeout,
                downloadAt == null || at.isAfter(downloadAt) ? at : downloadAt,
                history);
    }

    /** The next attempt of the same run, at {@code at}: percent is the run's furthest, never reset. */
    Execution nextAttempt(Instant at) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                ExecutionStatus.DELIVERED,
                attempt + 1,
                percent,
                at,
                at,
                0,
                "",
                retryPolicy,
                null,
                stage,
                timeout,
                downloadAt,
                history);
    }

    /**
     * Attempts that going from {@code before} to this adds to the job's retry count: the
     * difference in attempts within one run (negative when a late report shows that an attempt
     * never began), and one for an operator's restart.
     */
    public int retriesAddedFrom(Execution before) {
        if (before == null || before.attempt() == 0) {
            return 0;
        }
        if (attempt == 1 && startsAttemptFrom(before)) {
            return 1;
        }
        return attempt - before.attempt();
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
