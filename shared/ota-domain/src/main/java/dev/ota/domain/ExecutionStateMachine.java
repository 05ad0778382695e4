package dev.ota.domain;

import static dev.ota.domain.ExecutionStatus.BURNING;
import static dev.ota.domain.ExecutionStatus.DELIVERED;
import static dev.ota.domain.ExecutionStatus.DOWNLOADING;
import static dev.ota.domain.ExecutionStatus.FAILED;
import static dev.ota.domain.ExecutionStatus.RETRY_PENDING;
import static dev.ota.domain.ExecutionStatus.SUCCEEDED;
import static dev.ota.domain.ExecutionStatus.TIMED_OUT;

import dev.ota.domain.Decision.AdvancePercent;
import dev.ota.domain.Decision.Ignore;
import dev.ota.domain.Decision.Resend;
import dev.ota.domain.Decision.Transition;
import dev.ota.domain.device.DeviceReport.ProgressReport;
import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.domain.device.ProgressState;
import java.time.Instant;

/**
 * The OTA state rules. Pure: given what is stored and what the device said, it decides. Storage
 * applies the decision conditionally on the state it was made from, so that concurrent, duplicate
 * and reordered reports cannot corrupt anything.
 *
 * <p>Rules: status only moves forward within an attempt; percent never goes backwards within an
 * attempt; done and fail end an attempt; a report older than the attempt, or naming another
 * version than the target, is ignored. A network failure after progress is resumed within its
 * attempt ({@link #fail}); the -3 and -5 of one HTTP 403 cost one attempt ({@link #pairedFailure}).
 */
public final class ExecutionStateMachine {

    private ExecutionStateMachine() {}

    public static Decision onVersionReport(DeviceState state, VersionReport report) {
        Execution exec = state.liveExecution().orElse(null);
        if (exec == null) {
            return new Ignore("no live update");
        }
        if (exec.targetVersion().equals(report.version())) {
            // The device runs the target: whatever the attempt was doing, the update succeeded.
            return new Transition(exec, exec.withStatus(SUCCEEDED, 100, report.receivedAt()), false);
        }
        return switch (exec.status()) {
            case DELIVERED, DOWNLOADING, BURNING -> new Resend(exec);
            case RETRY_PENDING ->
                exec.retryNotBefore() != null && report.receivedAt().isBefore(exec.retryNotBefore())
                        ? new Ignore("retry not before " + exec.retryNotBefore())
                        : new Transition(exec, nextDelivery(exec, report.receivedAt()), true);
            default -> new Ignore("execution is " + exec.status());
        };
    }

    public static Decision onProgress(DeviceState state, ProgressReport report) {
        Execution exec = state.liveExecution().orElse(null);
        if (exec == null) {
            return new Ignore("no live update");
        }
        if (!exec.targetVersion().equals(report.version())) {
            return new Ignore(
                    "reports version " + report.version() + " but the update targets " + exec.targetVersion());
        }
        if (report.receivedAt().isBefore(exec.attemptStartedAt())) {
            return new Ignore("report predates attempt " + exec.attempt());
        }
        if (exec.status() == RETRY_PENDING && report.state() == ProgressState.FAIL) {
            return pairedFailure(exec, report);
        }
        if (!exec.status().inFlight()) {
            return new Ignore("execution is " + exec.status());
        }
        return switch (report.state()) {
            case DOWNLOADING -> downloading(exec, report);
            case BURNING ->
                exec.status() == BURNING
                        ? new Ignore("already burning")
                        : new Transition(exec, exec.withStatus(BURNING, 100, report.receivedAt()), false);
            case DONE -> new Transition(exec, exec.withStatus(SUCCEEDED, 100, report.receivedAt()), false);
            case FAIL -> fail(exec, report);
        };
    }

    private static Decision downloading(Execution exec, ProgressReport report) {
        int percent = report.percent() == null ? exec.percent() : report.percent();
        return switch (exec.status()) {
            case DELIVERED ->
                new Transition(
                        exec,
                        exec.withStatus(DOWNLOADING, Math.max(percent, exec.percent()), report.receivedAt()),
                        false);
            case DOWNLOADING ->
                percent > exec.percent()
                        ? new AdvancePercent(exec, percent)
                        : new Ignore("percent " + percent + " does not advance on " + exec.percent());
            default -> new Ignore("downloading after " + exec.status());
        };
    }

    /**
     * A failure ends the attempt. A network failure with progress (see
     * {@link RetryPolicy#allowsResume}) is resumed: pending at once, and its next delivery keeps the
     * attempt ({@link #nextDelivery}). Any other failure uses the attempt: a retry after the
     * policy's interval while attempts are left and the code is retryable, else FAILED.
     */
    private static Decision fail(Execution exec, ProgressReport report) {
        RetryPolicy policy = exec.retryPolicy();
        Instant at = report.receivedAt();
        if (policy.allowsResume(exec.resumes(), report.resultCode(), exec.percent())) {
            return new Transition(
                    exec, exec.failed(RETRY_PENDING, report.resultCode(), report.resultMsg(), at, at), false);
        }
        return usesAttempt(exec, report.resultCode(), report.resultMsg(), at);
    }

    private static Decision usesAttempt(Execution exec, int code, String msg, Instant at) {
        RetryPolicy policy = exec.retryPolicy();
        if (policy.allowsAnotherAttempt(exec.attempt(), code)) {
            return new Transition(
                    exec, exec.failed(RETRY_PENDING, code, msg, at, policy.retryNotBefore(code, at)), false);
        }
        return new Transition(exec, exec.failed(FAILED, code, msg, at, null), false);
    }

    /**
     * A {@code fail} for an attempt that already failed (the pending retry's own attempt: reports
     * of earlier ones were ignored before). The C SDK reports one HTTP 403 as -3 and then -5: after
     * the -3 the -5 changes nothing. Reordered, the -5 came first and may have been taken as a
     * resume: the -3 then decides the attempt as a -3 would have, so the pair costs one attempt,
     * never two and never none.
     */
    private static Decision pairedFailure(Execution exec, ProgressReport report) {
        if (report.resultCode() == RetryPolicy.FORBIDDEN && exec.resultCode() != RetryPolicy.FORBIDDEN) {
            return usesAttempt(exec, report.resultCode(), report.resultMsg(), report.receivedAt());
        }
        return new Ignore("attempt " + exec.attempt() + " already failed with " + exec.resultCode());
    }

    /** Whether the pending retry is a resume: decided by the same rule that let the failure resume. */
    static boolean isResume(Execution pending) {
        return pending.status() == RETRY_PENDING
                && pending.retryPolicy().allowsResume(pending.resumes(), pending.resultCode(), pending.percent());
    }

    /** The delivery that ends a pending retry: the same attempt resumed, or the next attempt. */
    private static Execution nextDelivery(Execution pending, Instant at) {
        return isResume(pending) ? pending.resumed(at) : pending.delivered(at);
    }

    /** Result message of an attempt that reached its in-progress timeout. */
    public static final String TIMEOUT_MESSAGE = "in-progress timeout";

    /**
     * The scheduler found the execution due at {@code now}: an attempt in flight past its
     * in-progress timeout becomes a pending retry (attempts left) or ends TIMED_OUT; a pending
     * retry whose interval passed starts its next attempt, and the update goes out again.
     *
     * @param mayStartAttempt false while the job does not release (paused, canceled): a due retry waits
     */
    public static Decision onDue(Execution exec, Instant now, boolean mayStartAttempt) {
        if (exec == null || exec.status().terminal()) {
            return new Ignore("no live update");
        }
        Instant due = exec.dueAt();
        if (due == null || now.isBefore(due)) {
            return new Ignore("not due before " + due);
        }
        if (exec.status().inFlight()) {
            RetryPolicy policy = exec.retryPolicy();
            String msg = TIMEOUT_MESSAGE + " after " + exec.timeout();
            if (policy.allowsRetryAfterTimeout(exec.attempt())) {
                return new Transition(
                        exec, exec.failed(RETRY_PENDING, 0, msg, now, now.plus(policy.retryInterval())), false);
            }
            return new Transition(exec, exec.failed(TIMED_OUT, 0, msg, now, null), false);
        }
        if (exec.status() == RETRY_PENDING) {
            return mayStartAttempt
                    ? new Transition(exec, nextDelivery(exec, now), true)
                    : new Ignore("job does not start attempts now");
        }
        return new Ignore("execution is " + exec.status());
    }
}
