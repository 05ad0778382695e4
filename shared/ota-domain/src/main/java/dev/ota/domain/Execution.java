package dev.ota.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A device's execution of one job: the live state the device protocol moves.
 *
 * <p>One attempt may have several deliveries: update_firmware goes out again for the same attempt
 * after a resumed network failure ({@link #resumes}). {@code attemptStartedAt} is when the current
 * delivery began.
 *
 * @param attemptStartedAt broker time the current delivery of the attempt began; older reports
 *     belong to an earlier one
 * @param retryNotBefore when the next attempt may start, while {@link ExecutionStatus#RETRY_PENDING}
 * @param stage the rollout group the device was released in (0 when the job has no stages)
 * @param timeout in-progress timeout of one delivery, measured from its start; null for none
 * @param resumes network failures with progress that were resumed within their attempt, over the
 *     whole execution (see {@link RetryPolicy#allowsResume}); the replay of the history counts them
 * @param resends update_firmware sent again for this delivery because the device went quiet
 *     ({@link #QUIET_AFTER}); at most {@link #MAX_QUIET_RESENDS}
 * @param sentAt when update_firmware last went out for this delivery (its start, a resend the
 *     device asked for, a quiet resend); the resend cooldown and the quiet time count from it
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
        int resumes,
        int resends,
        Instant sentAt,
        Instant downloadAt,
        List<ExecutionEvent> history) {

    /**
     * A DELIVERED or DOWNLOADING attempt that has not been heard of for this long gets update_firmware
     * again (same attempt, fresh URL). A publish can be lost after the write that recorded it, and
     * Tencent's Java SDK reports nothing at all on an HTTP 403, a refused connection or a stalled
     * download; the C SDK reports progress at least once a second while it downloads. Both SDKs
     * ignore update_firmware while a download runs, so a resend to a slow but live download costs
     * one message and changes nothing.
     */
    public static final Duration QUIET_AFTER = Duration.ofMinutes(5);

    /** Quiet resends per delivery; after them only the in-progress timeout moves the attempt. */
    public static final int MAX_QUIET_RESENDS = 3;

    public Execution {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** An execution with no resume, no resend and no history yet. */
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
                0,
                0,
                null,
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
                resumes,
                resends,
                sentAt,
                downloadAt,
                history);
    }

    /** Starts the next attempt: the update goes (again) to the device, now. */
    public Execution delivered(Instant at) {
        return delivery(attempt + 1, 0, resumes, at);
    }

    /** An operator's retry: a fresh first attempt, whatever the attempts and resumes so far; its history starts anew. */
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
                0,
                0,
                at,
                null,
                List.of());
    }

    /** A new delivery of attempt {@code n}, update_firmware sent at {@code at}: its resends start at 0. */
    Execution delivery(int n, int nextPercent, int nextResumes, Instant at) {
        return new Execution(
                jobId,
                firmware,
                fromVersion,
                ExecutionStatus.DELIVERED,
                n,
                nextPercent,
                at,
                at,
                0,
                "",
                retryPolicy,
                null,
                stage,
                timeout,
                nextResumes,
                0,
                at,
                downloadAt,
                history);
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
                resumes,
                resends,
                sentAt,
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
                resumes,
                resends,
                sentAt,
                downloadAt,
                history);
    }

    /** The same delivery, update_firmware sent again at {@code at} because the device went quiet. */
    public Execution resent(Instant at) {
        return withSends(resends + 1, at);
    }

    /** The same execution with this send record of its delivery. */
    public Execution withSends(int nextResends, Instant nextSentAt) {
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
                resumes,
                nextResends,
                nextSentAt,
                downloadAt,
                history);
    }

    /** The same execution with this history and resume count (the state machine's replay sets the rest). */
    Execution withHistory(List<ExecutionEvent> events, int nextResumes) {
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
                nextResumes,
                resends,
                sentAt,
                downloadAt,
                events);
    }

    /** The same execution with this history (the state machine's replay sets the rest). */
    public Execution withHistory(List<ExecutionEvent> events) {
        return withHistory(events, resumes);
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
                resumes,
                resends,
                sentAt,
                downloadAt == null || at.isAfter(downloadAt) ? at : downloadAt,
                history);
    }

    /**
     * Attempts that going from {@code before} to this adds to the job's retry count: the
     * difference in attempts within one run (negative when a late report shows that an attempt
     * never began), and one for an operator's restart. A resume re-delivers within its attempt: none.
     */
    public int retriesAddedFrom(Execution before) {
        if (before == null || before.attempt() == 0) {
            return 0;
        }
        if (attempt == 1 && history.isEmpty() && startsAttemptFrom(before)) {
            return 1;
        }
        return attempt - before.attempt();
    }

    /**
     * True when going from {@code before} to this stays within the delivery the job's records
     * already hold ({@link ExecutionStatus#recorded}): the same attempt in flight, no resend, and due
     * no earlier than before (or no longer due). The store then writes the device item alone: the
     * Executions row, its due time and the job's counters stay as they are. The stored due time is
     * early, never late; the scheduler finds the execution not yet due and moves the stored time to
     * {@link #dueAt()}, or drops it (a re-arm). An attempt that starts or ends, a resend, or an
     * earlier due moves the row.
     */
    public boolean withinDeliveryOf(Execution before) {
        Instant was = before.dueAt();
        Instant due = dueAt();
        return before.status.inFlight()
                && status.inFlight()
                && (due == null || (was != null && !due.isBefore(was)))
                && attempt == before.attempt
                && resends == before.resends
                && jobId.equals(before.jobId)
                && Objects.equals(attemptStartedAt, before.attemptStartedAt);
    }

    /** True when going from {@code before} to this starts a delivery: update_firmware goes out. */
    public boolean startsAttemptFrom(Execution before) {
        return status == ExecutionStatus.DELIVERED
                && (before == null
                        || before.status() != ExecutionStatus.DELIVERED
                        || before.attempt() != attempt
                        || !before.attemptStartedAt().equals(attemptStartedAt));
    }

    /** When the delivery is past its in-progress timeout; null without one. */
    public Instant timeoutAt() {
        return status.inFlight() && timeout != null ? attemptStartedAt.plus(timeout) : null;
    }

    /**
     * When the delivery counts as quiet: {@link #QUIET_AFTER} after the last thing heard of it or
     * sent for it (its start, a status change, a percent, a resend), while DELIVERED or DOWNLOADING
     * and quiet resends are left. Null otherwise (BURNING: the device is flashing, a resend cannot help).
     */
    public Instant quietAt() {
        boolean waitsForDownload = status == ExecutionStatus.DELIVERED || status == ExecutionStatus.DOWNLOADING;
        if (!waitsForDownload || resends >= MAX_QUIET_RESENDS) {
            return null;
        }
        Instant last = sentAt != null && sentAt.isAfter(updatedAt) ? sentAt : updatedAt;
        return last.plus(QUIET_AFTER);
    }

    /**
     * When the scheduler must look at this execution again: the in-progress deadline of a delivery
     * in flight or the moment it counts as quiet, whichever comes first, or {@link
     * RetryPolicy#DEVICE_FIRST} after a pending retry may start (the device's version report may
     * start it from then on). Null when nothing is due.
     */
    public Instant dueAt() {
        if (status.inFlight()) {
            Instant timeoutAt = timeoutAt();
            Instant quietAt = quietAt();
            if (timeoutAt == null || quietAt == null) {
                return timeoutAt != null ? timeoutAt : quietAt;
            }
            return quietAt.isBefore(timeoutAt) ? quietAt : timeoutAt;
        }
        if (status == ExecutionStatus.RETRY_PENDING) {
            return (retryNotBefore != null ? retryNotBefore : updatedAt).plus(RetryPolicy.DEVICE_FIRST);
        }
        return null;
    }
}
