package dev.ota.domain;

import static dev.ota.domain.ExecutionStatus.BURNING;
import static dev.ota.domain.ExecutionStatus.CANCELED;
import static dev.ota.domain.ExecutionStatus.DELIVERED;
import static dev.ota.domain.ExecutionStatus.DOWNLOADING;
import static dev.ota.domain.ExecutionStatus.FAILED;
import static dev.ota.domain.ExecutionStatus.QUEUED;
import static dev.ota.domain.ExecutionStatus.RETRY_PENDING;
import static dev.ota.domain.ExecutionStatus.SUCCEEDED;
import static dev.ota.domain.ExecutionStatus.TIMED_OUT;

import dev.ota.domain.Decision.AdvancePercent;
import dev.ota.domain.Decision.Ignore;
import dev.ota.domain.Decision.Resend;
import dev.ota.domain.Decision.Transition;
import dev.ota.domain.ExecutionEvent.Kind;
import dev.ota.domain.device.DeviceReport.ProgressReport;
import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.domain.device.ProgressState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The OTA state rules, in event time. Pure: given what is stored and what happened, it decides.
 * Storage applies the decision conditionally on the state it was made from.
 *
 * <p>An execution keeps the distinct events of its run ({@link ExecutionEvent}); its status is the
 * replay of them in receive-time order. A report that arrives late is put in its place and the run
 * replayed, so the outcome depends only on the set of reports, never on the order or number of
 * their deliveries (docs/protocol.md, "Event time"). Downloading reports with progress are kept
 * too (they tell whether a delivery made progress before it failed); the run's percent and its
 * newest download time are maxima over all of them.
 *
 * <p>Replay rules, per event in time order:
 * <ul>
 *   <li>quiet resend (the scheduler's): counted for the delivery in flight, capped by
 *       {@link Execution#MAX_QUIET_RESENDS} when the scheduler decides;
 *   <li>fail: closes the attempt. A network failure (-1, -5) of a delivery that made progress is
 *       resumed within its attempt while resumes are left ({@link RetryPolicy#allowsResume}); any
 *       other uses the attempt: a retry while attempts are left and the code is retryable, else the
 *       update fails. A later fail of an attempt that already failed changes nothing, except a -3
 *       after another code: the C SDK reports one HTTP 403 as -3 then -5, and the pair costs one
 *       attempt, decided by the -3 ({@link RetryPolicy#FORBIDDEN_SETTLE});
 *   <li>a version report other than the target: starts the next delivery (a resume, or the next
 *       attempt) while a retry is pending and its interval has passed, else nothing (the device
 *       gets the update again);
 *   <li>burning, done: a done ends the update whenever it comes within the attempt, even after a
 *       fail or timeout (the Java SDK retries a truncated download by itself); a burning newer than
 *       a fail or timeout of the attempt reopens it;
 *   <li>the target version: succeeded, like a done (even after the update failed: the device runs it);
 *   <li>timeout, scheduled start: what the scheduler did, at its time; a cancel ends the update
 *       unless it succeeded before.
 * </ul>
 */
public final class ExecutionStateMachine {

    /**
     * Version reports other than the target kept per run: a device that floods is not kept forever.
     * Room for every delivery a run can have (RetryPolicy.MAX_RESUMES + MAX_ATTEMPTS_LIMIT) and as
     * many idle re-reports; past it the order of delivery may matter again.
     */
    public static final int MAX_VERSION_EVENTS = 64;

    /**
     * Downloading reports the read-and-decide path keeps per run (the fast path appends only
     * reports that raise the percent: at most 100).
     */
    public static final int MAX_DOWNLOAD_EVENTS = 200;

    private ExecutionStateMachine() {}

    public static Decision onVersionReport(DeviceState state, VersionReport report) {
        Execution exec = state.execution();
        if (exec != null && exec.status() == QUEUED && exec.targetVersion().equals(report.version())) {
            // Waiting for release, yet it runs the target already.
            return new Transition(exec, succeeded(exec, report.receivedAt()), false);
        }
        if (exec == null || exec.status() == QUEUED || exec.status() == ExecutionStatus.SKIPPED) {
            return exec == null || exec.status() != QUEUED
                    ? new Ignore("no live update")
                    : new Ignore("execution is " + exec.status());
        }
        if (report.receivedAt().isBefore(runStart(exec))) {
            return new Ignore("report predates the update");
        }
        boolean target = exec.targetVersion().equals(report.version());
        ExecutionEvent event = ExecutionEvent.of(target ? Kind.TARGET : Kind.VERSION, report.receivedAt());
        Execution after = record(exec, event);
        if (target) {
            return after.equals(exec)
                    ? new Ignore(exec.status().live() ? "duplicate" : "no live update")
                    : new Transition(exec, after, false);
        }
        // The device runs another version: while the update is in flight it gets update_firmware
        // (a new delivery, or the same one again: checkpoint restart), if the report belongs to that delivery.
        boolean wantsUpdate = after.status().inFlight() && !report.receivedAt().isBefore(after.attemptStartedAt());
        if (after.equals(exec)) {
            if (wantsUpdate) {
                return new Resend(exec);
            }
            return new Ignore(
                    exec.status() == RETRY_PENDING && exec.retryNotBefore() != null
                            ? "retry not before " + exec.retryNotBefore()
                            : exec.status().live() ? "already known" : "no live update");
        }
        if (!wantsUpdate) {
            return new Transition(exec, after, false);
        }
        boolean startsDelivery = after.attemptStartedAt().equals(report.receivedAt())
                && (after.attempt() != exec.attempt()
                        || !after.attemptStartedAt().equals(exec.attemptStartedAt()));
        return startsDelivery ? new Transition(exec, after, true) : new Resend(exec, after);
    }

    public static Decision onProgress(DeviceState state, ProgressReport report) {
        Execution exec = state.execution();
        if (exec == null || exec.status() == QUEUED || exec.status() == ExecutionStatus.SKIPPED) {
            return exec == null || exec.status() != QUEUED
                    ? new Ignore("no live update")
                    : new Ignore("execution is " + exec.status());
        }
        if (!exec.targetVersion().equals(report.version())) {
            return new Ignore(
                    "reports version " + report.version() + " but the update targets " + exec.targetVersion());
        }
        if (report.receivedAt().isBefore(runStart(exec))) {
            return new Ignore("report predates attempt " + exec.attempt());
        }
        if (ended(exec) && report.receivedAt().isAfter(exec.updatedAt())) {
            return new Ignore("no live update");
        }
        if (report.state() == ProgressState.DOWNLOADING) {
            // (after a success the percent stays 100; a report from before it may still decide a resume)
            return downloading(exec, report);
        }
        ExecutionEvent event = switch (report.state()) {
            case BURNING -> ExecutionEvent.of(Kind.BURNING, report.receivedAt());
            case DONE -> ExecutionEvent.of(Kind.DONE, report.receivedAt());
            case FAIL -> new ExecutionEvent(Kind.FAIL, report.receivedAt(), report.resultCode(), report.resultMsg());
            case DOWNLOADING -> throw new IllegalStateException();
        };
        Execution after = record(exec, event);
        if (after.equals(exec)) {
            return new Ignore(exec.status().live() ? "changes nothing" : "no live update");
        }
        return new Transition(exec, after, false);
    }

    private static Decision downloading(Execution exec, ProgressReport report) {
        int percent = report.percent() == null ? 0 : report.percent();
        Instant at = report.receivedAt();
        // A report with progress is kept: it decides whether a network failure after it is resumed.
        List<ExecutionEvent> kept = percent > 0 ? added(exec, download(percent, at)) : null;
        Execution raised = exec.withDownload(percent, at);
        Execution after = replay(kept == null ? raised : raised.withHistory(kept));
        if (after.equals(exec)) {
            return new Ignore("percent " + percent + " does not advance on " + exec.percent());
        }
        // The one-write fast path (DeviceStateStore#advancePercent) raises percent and download
        // time together and appends the report to the downloads: only for a report not older than
        // the last, that only raises the percent of a download in progress.
        boolean notOlder = exec.downloadAt() == null || !at.isBefore(exec.downloadAt());
        if (kept != null
                && exec.status() == DOWNLOADING
                && after.status() == DOWNLOADING
                && after.percent() > exec.percent()
                && !at.isBefore(exec.attemptStartedAt())
                && notOlder
                && after.equals(advanced(exec, percent, at))) {
            return new AdvancePercent(exec, after.percent());
        }
        return new Transition(exec, after, false);
    }

    /** The event a downloading report with progress leaves in the history. */
    public static ExecutionEvent download(int percent, Instant at) {
        return new ExecutionEvent(Kind.DOWNLOAD, at, percent, "");
    }

    /**
     * The execution as {@link Decision.AdvancePercent} leaves it: percent, update and download time
     * set to the report's, the report added to the downloads of its history.
     */
    public static Execution advanced(Execution exec, int percent, Instant at) {
        List<ExecutionEvent> history = new ArrayList<>(exec.history());
        history.add(download(percent, at));
        Collections.sort(history);
        return exec.withDownload(percent, at)
                .withStatus(DOWNLOADING, percent, at)
                .withHistory(history);
    }

    /** Result message of an attempt that reached its in-progress timeout. */
    public static final String TIMEOUT_MESSAGE = "in-progress timeout";

    /**
     * The scheduler found the execution due at {@code now}: a delivery in flight past its
     * in-progress timeout becomes a pending retry (attempts left) or ends TIMED_OUT; one that went
     * quiet before it ({@link Execution#quietAt()}) gets update_firmware again, same attempt; a pending
     * retry whose interval passed starts its next delivery, and the update goes out again.
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
            Instant timeoutAt = exec.timeoutAt();
            if (timeoutAt == null || now.isBefore(timeoutAt)) {
                // Due because quiet: the same delivery again, with a fresh URL (counted, capped).
                return new Transition(exec, record(exec, ExecutionEvent.of(Kind.RESEND, now)), true);
            }
            return new Transition(exec, record(exec, ExecutionEvent.of(Kind.TIMEOUT, now)), false);
        }
        if (exec.status() == RETRY_PENDING) {
            return mayStartAttempt
                    ? new Transition(exec, record(exec, ExecutionEvent.of(Kind.START, now)), true)
                    : new Ignore("job does not start attempts now");
        }
        return new Ignore("execution is " + exec.status());
    }

    /** An operator or a job's end cancels the live execution at {@code at}. */
    public static Execution cancel(Execution exec, Instant at, String reason) {
        return record(exec, new ExecutionEvent(Kind.CANCEL, at, 0, reason));
    }

    // --- replay ---

    /** When the run began: its first event, or the attempt's start while it has none. */
    private static Instant runStart(Execution exec) {
        return hasBase(exec.history()) ? exec.history().get(0).at() : exec.attemptStartedAt();
    }

    /**
     * The execution with {@code event} added to its history and replayed; itself when the event
     * was known already, cannot change anything (it comes after the run ended for good), or is a
     * version report past {@link #MAX_VERSION_EVENTS}.
     */
    static Execution record(Execution exec, ExecutionEvent event) {
        List<ExecutionEvent> history = added(exec, event);
        return history == null ? exec : replay(exec.withHistory(history));
    }

    /** The history with {@code event} in its place, or null when the event adds nothing to it. */
    private static List<ExecutionEvent> added(Execution exec, ExecutionEvent event) {
        List<ExecutionEvent> history = new ArrayList<>(exec.history());
        if (!hasBase(history)) {
            // (downloads the fast path appended before the history began are in the snapshot already)
            history.add(base(exec));
            Collections.sort(history);
        }
        if (history.contains(event)) {
            return null;
        }
        if (ended(exec) && event.at().isAfter(exec.updatedAt())) {
            return null;
        }
        if (event.kind() == Kind.VERSION
                && history.stream().filter(e -> e.kind() == Kind.VERSION).count() >= MAX_VERSION_EVENTS) {
            return null;
        }
        if (event.kind() == Kind.DOWNLOAD
                && history.stream().filter(e -> e.kind() == Kind.DOWNLOAD).count() >= MAX_DOWNLOAD_EVENTS) {
            return null;
        }
        history.add(event);
        Collections.sort(history);
        return history;
    }

    private static boolean hasBase(List<ExecutionEvent> history) {
        return !history.isEmpty() && history.get(0).kind() == Kind.BASE;
    }

    /** Ended for good: nothing received after its end changes it. */
    private static boolean ended(Execution exec) {
        return exec.status() == SUCCEEDED || exec.status() == CANCELED;
    }

    /** The snapshot an execution's history starts from. */
    private static ExecutionEvent base(Execution e) {
        String snapshot = e.status().name() + ";" + e.updatedAt().toEpochMilli() + ";" + e.resultCode() + ";"
                + (e.retryNotBefore() == null ? "-" : e.retryNotBefore().toEpochMilli()) + ";" + e.resumes() + ";"
                + e.percent() + ";" + e.resultMsg();
        return new ExecutionEvent(Kind.BASE, e.attemptStartedAt(), e.attempt(), snapshot);
    }

    /**
     * The execution's status, attempt, resumes, quiet resends and times as the replay of its
     * history; percent and download time as kept; a later send the device asked for as kept while
     * the replay ends on the stored delivery.
     */
    static Execution replay(Execution exec) {
        List<ExecutionEvent> history = exec.history();
        Execution s = exec;
        if (hasBase(history)) {
            ExecutionEvent base = history.get(0);
            Replay r =
                    new Replay(fromBase(exec, base), Integer.parseInt(base.msg().split(";", 7)[5]));
            for (int i = 1; i < history.size(); i++) {
                r.step(history.get(i));
            }
            s = r.s;
            if (s.attempt() == exec.attempt()
                    && s.attemptStartedAt().equals(exec.attemptStartedAt())
                    && exec.sentAt() != null
                    && exec.sentAt().isAfter(s.sentAt())) {
                // a resend the device asked for (DeviceStateStore#claimUpdate) is no event
                s = s.withSends(s.resends(), exec.sentAt());
            }
        }
        if (s.status() == DELIVERED
                && exec.downloadAt() != null
                && !exec.downloadAt().isBefore(s.attemptStartedAt())) {
            s = s.withStatus(DOWNLOADING, s.percent(), exec.downloadAt());
        }
        // Percent is the furthest the run got: the highest downloading report, 100 once it burned or ended well.
        boolean pastDownload = s.status() == BURNING
                || s.status() == SUCCEEDED
                || history.stream()
                        .anyMatch(e -> e.kind() == Kind.BURNING || e.kind() == Kind.DONE || e.kind() == Kind.TARGET);
        if (pastDownload) {
            s = s.withStatus(s.status(), 100, s.updatedAt());
        }
        return s;
    }

    private static Execution fromBase(Execution exec, ExecutionEvent base) {
        String[] f = base.msg().split(";", 7);
        return new Execution(
                exec.jobId(),
                exec.firmware(),
                exec.fromVersion(),
                ExecutionStatus.valueOf(f[0]),
                base.code(),
                exec.percent(),
                base.at(),
                Instant.ofEpochMilli(Long.parseLong(f[1])),
                Integer.parseInt(f[2]),
                f[6],
                exec.retryPolicy(),
                f[3].equals("-") ? null : Instant.ofEpochMilli(Long.parseLong(f[3])),
                exec.stage(),
                exec.timeout(),
                Integer.parseInt(f[4]),
                0,
                base.at(),
                exec.downloadAt(),
                exec.history());
    }

    private static boolean closedByFailure(ExecutionStatus status) {
        return status == RETRY_PENDING || status == FAILED || status == TIMED_OUT;
    }

    /** One pass over a history: the execution so far, and what the pending retry will be. */
    private static final class Replay {
        Execution s;
        /** The pending retry resumes the same attempt (a network failure after progress). */
        boolean resumePending;
        /** Highest percent of the kept downloads of the current delivery. */
        int deliveryPercent;

        /** @param basePercent the percent when the history began: progress of a delivery that began before it */
        Replay(Execution base, int basePercent) {
            this.s = base;
            this.deliveryPercent = base.status() == DOWNLOADING ? basePercent : 0;
        }

        void step(ExecutionEvent e) {
            Instant at = e.at();
            ExecutionStatus st = s.status();
            if (st == SUCCEEDED || st == CANCELED || st == QUEUED || st == ExecutionStatus.SKIPPED) {
                return;
            }
            switch (e.kind()) {
                case BASE -> {}
                case RESEND -> {
                    if (st == DELIVERED || st == DOWNLOADING) {
                        s = s.withSends(s.resends() + 1, at);
                    }
                }
                case DOWNLOAD -> {
                    if (st == DELIVERED || st == DOWNLOADING) {
                        deliveryPercent = Math.max(deliveryPercent, e.code());
                        s = s.withStatus(DOWNLOADING, s.percent(), at);
                    }
                }
                case VERSION, START -> {
                    if (st == RETRY_PENDING && (s.retryNotBefore() == null || !at.isBefore(s.retryNotBefore()))) {
                        s = resumePending
                                ? s.delivery(s.attempt(), s.percent(), s.resumes() + 1, at)
                                : s.delivery(s.attempt() + 1, s.percent(), s.resumes(), at);
                        resumePending = false;
                        deliveryPercent = 0;
                    }
                }
                case TARGET, DONE -> {
                    if (st.inFlight() || closedByFailure(st)) {
                        s = succeeded(s, at);
                    }
                }
                case BURNING -> {
                    if (st == DELIVERED || st == DOWNLOADING || closedByFailure(st)) {
                        s = s.failed(BURNING, 0, "", at, null);
                        resumePending = false;
                    }
                }
                case FAIL -> fail(e);
                case TIMEOUT -> {
                    if (st.inFlight()
                            && s.timeout() != null
                            && !at.isBefore(s.attemptStartedAt().plus(s.timeout()))) {
                        s = timedOut(s, at);
                        resumePending = false;
                    }
                }
                case CANCEL -> {
                    if (st.inFlight() || closedByFailure(st)) {
                        s = s.failed(CANCELED, 0, e.msg(), at, null);
                    }
                }
            }
        }

        private void fail(ExecutionEvent e) {
            ExecutionStatus st = s.status();
            RetryPolicy policy = s.retryPolicy();
            if (st.inFlight()) {
                int progress = st == DOWNLOADING ? deliveryPercent : 0;
                if (policy.allowsResume(s.resumes(), e.code(), progress)) {
                    // Pending at once; the next delivery keeps the attempt.
                    s = s.failed(RETRY_PENDING, e.code(), e.msg(), e.at(), e.at());
                    resumePending = true;
                } else {
                    s = usesAttempt(s, e.code(), e.msg(), e.at());
                    resumePending = false;
                }
            } else if ((st == RETRY_PENDING || st == FAILED)
                    && e.code() == RetryPolicy.FORBIDDEN
                    && s.resultCode() != RetryPolicy.FORBIDDEN) {
                // The -3 of a 403 pair after its -5 (same millisecond or not): the -3 decides the attempt.
                s = usesAttempt(s, e.code(), e.msg(), e.at());
                resumePending = false;
            }
        }
    }

    private static Execution succeeded(Execution s, Instant at) {
        return s.failed(SUCCEEDED, 0, "", at, null).withStatus(SUCCEEDED, 100, at);
    }

    private static Execution usesAttempt(Execution s, int code, String msg, Instant at) {
        RetryPolicy policy = s.retryPolicy();
        if (policy.allowsAnotherAttempt(s.attempt(), code)) {
            return s.failed(RETRY_PENDING, code, msg, at, policy.retryNotBefore(code, at));
        }
        return s.failed(FAILED, code, msg, at, null);
    }

    private static Execution timedOut(Execution s, Instant at) {
        RetryPolicy policy = s.retryPolicy();
        String msg = TIMEOUT_MESSAGE + " after " + s.timeout();
        if (policy.allowsRetryAfterTimeout(s.attempt())) {
            return s.failed(RETRY_PENDING, 0, msg, at, at.plus(policy.retryInterval()));
        }
        return s.failed(TIMED_OUT, 0, msg, at, null);
    }
}
