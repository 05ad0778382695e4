package dev.ota.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.Decision.Ignore;
import dev.ota.domain.Decision.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scheduler's side of the state machine: in-progress timeouts and pending retries that fall due. */
class ExecutionDueTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final FirmwareRef FW =
            new FirmwareRef("2.0.0", "firmware/p/2.0.0/f.bin", 10, "0123456789abcdef0123456789abcdef");
    private static final RetryPolicy TWO = new RetryPolicy(2, Set.of(-1), Duration.ofSeconds(30));

    private static Execution inFlight(Duration timeout) {
        return Execution.queued("job", FW, "1.0.0", TWO, T0).planned(1, timeout).delivered(T0);
    }

    @Test
    void dueAtFollowsTheStatus() {
        Execution e = inFlight(Duration.ofMinutes(5));
        assertThat(e.dueAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(inFlight(null).dueAt()).as("no timeout: due when quiet").isEqualTo(T0.plus(Execution.QUIET_AFTER));
        assertThat(inFlight(Duration.ofHours(1)).dueAt())
                .as("quiet before the timeout")
                .isEqualTo(T0.plus(Execution.QUIET_AFTER));
        Execution pending = e.failed(ExecutionStatus.RETRY_PENDING, -1, "x", T0.plusSeconds(10), T0.plusSeconds(40));
        assertThat(pending.dueAt())
                .as("the device's own version report first")
                .isEqualTo(T0.plusSeconds(40).plus(RetryPolicy.DEVICE_FIRST));
        assertThat(e.withStatus(ExecutionStatus.SUCCEEDED, 100, T0).dueAt()).isNull();
    }

    @Test
    void timeoutWithAttemptsLeftBecomesAPendingRetry() {
        Execution e = inFlight(Duration.ofMinutes(5)).withStatus(ExecutionStatus.DOWNLOADING, 40, T0.plusSeconds(60));
        assertThat(ExecutionStateMachine.onDue(e, T0.plusSeconds(299), true)).isInstanceOf(Ignore.class);
        Decision d = ExecutionStateMachine.onDue(e, T0.plusSeconds(300), true);
        Execution after = ((Transition) d).after();
        assertThat(after.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(after.retryNotBefore()).isEqualTo(T0.plusSeconds(330));
        assertThat(after.resultMsg()).startsWith(ExecutionStateMachine.TIMEOUT_MESSAGE);
        assertThat(after.stage()).isEqualTo(1);
        assertThat(((Transition) d).sendUpdate()).isFalse();
    }

    @Test
    void dueRetryStartsTheNextAttemptAndSends() {
        Execution pending = inFlight(Duration.ofMinutes(5))
                .failed(ExecutionStatus.RETRY_PENDING, 0, "t", T0.plusSeconds(300), T0.plusSeconds(330));
        Instant due = T0.plusSeconds(330).plus(RetryPolicy.DEVICE_FIRST);
        assertThat(ExecutionStateMachine.onDue(pending, due.minusMillis(1), true))
                .isInstanceOf(Ignore.class);
        Transition t = (Transition) ExecutionStateMachine.onDue(pending, due, true);
        assertThat(t.sendUpdate()).isTrue();
        assertThat(t.after().status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(t.after().attempt()).isEqualTo(2);
        assertThat(t.after().attemptStartedAt()).isEqualTo(due);
        assertThat(t.after().startsAttemptFrom(pending)).isTrue();
    }

    @Test
    void dueRetryWaitsWhileTheJobStartsNoAttempts() {
        Execution pending = inFlight(Duration.ofMinutes(5)).failed(ExecutionStatus.RETRY_PENDING, 0, "t", T0, T0);
        assertThat(ExecutionStateMachine.onDue(pending, T0.plusSeconds(1), false))
                .isInstanceOf(Ignore.class);
    }

    @Test
    void lastAttemptTimesOutForGood() {
        Execution second = inFlight(Duration.ofMinutes(5))
                .failed(ExecutionStatus.RETRY_PENDING, 0, "t", T0, T0)
                .delivered(T0.plusSeconds(400));
        Transition t = (Transition) ExecutionStateMachine.onDue(second, T0.plusSeconds(700), true);
        assertThat(t.after().status()).isEqualTo(ExecutionStatus.TIMED_OUT);
        assertThat(t.after().dueAt()).isNull();
    }

    @Test
    void operatorRestartIsAFreshFirstAttempt() {
        Execution failed = inFlight(null).failed(ExecutionStatus.FAILED, -2, "404", T0, null);
        Execution restarted = failed.restarted(T0.plusSeconds(5));
        assertThat(restarted.attempt()).isEqualTo(1);
        assertThat(restarted.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(restarted.startsAttemptFrom(failed)).isTrue();
        assertThat(restarted.withStatus(ExecutionStatus.DOWNLOADING, 5, T0).startsAttemptFrom(restarted))
                .isFalse();
    }

    @Test
    void aQuietAttemptGetsTheUpdateAgainSameAttemptCountedAndCapped() {
        Execution e = inFlight(Duration.ofHours(1));
        Instant quiet = T0.plus(Execution.QUIET_AFTER);
        assertThat(ExecutionStateMachine.onDue(e, quiet.minusMillis(1), true)).isInstanceOf(Ignore.class);
        Execution current = e;
        for (int n = 1; n <= Execution.MAX_QUIET_RESENDS; n++) {
            Instant at = current.dueAt();
            Transition t = (Transition) ExecutionStateMachine.onDue(current, at, false);
            assertThat(t.sendUpdate()).as("resend %d", n).isTrue();
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.DELIVERED);
            assertThat(t.after().attempt()).as("same attempt").isEqualTo(1);
            assertThat(t.after().attemptStartedAt()).isEqualTo(T0);
            assertThat(t.after().resends()).isEqualTo(n);
            assertThat(t.after().startsAttemptFrom(current))
                    .as("no new attempt, no count moves")
                    .isFalse();
            current = t.after();
        }
        assertThat(current.dueAt()).as("capped: only the timeout is left").isEqualTo(T0.plus(Duration.ofHours(1)));
        Transition timedOut = (Transition) ExecutionStateMachine.onDue(current, T0.plus(Duration.ofHours(1)), true);
        assertThat(timedOut.after().status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(timedOut.sendUpdate()).isFalse();
        Execution next = ((Transition) ExecutionStateMachine.onDue(
                        timedOut.after(), timedOut.after().dueAt(), true))
                .after();
        assertThat(next.resends()).as("a new attempt has its resends whole").isZero();
    }

    @Test
    void progressMovesTheQuietMomentAndBurningIsNeverQuiet() {
        Execution downloading =
                inFlight(Duration.ofHours(1)).withStatus(ExecutionStatus.DOWNLOADING, 10, T0.plusSeconds(200));
        assertThat(downloading.dueAt()).isEqualTo(T0.plusSeconds(200).plus(Execution.QUIET_AFTER));
        assertThat(ExecutionStateMachine.onDue(downloading, T0.plus(Execution.QUIET_AFTER), true))
                .as("heard of 200 s in: not quiet yet")
                .isInstanceOf(Ignore.class);
        Execution burning = downloading.withStatus(ExecutionStatus.BURNING, 100, T0.plusSeconds(300));
        assertThat(burning.dueAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    @Test
    void theRowStaysWithinOneDeliveryAndMovesWhenItsDueTimeWouldBeLate() {
        Execution delivered = inFlight(Duration.ofHours(1));
        Execution downloading = delivered.withStatus(ExecutionStatus.DOWNLOADING, 0, T0.plusSeconds(10));
        Execution burning = downloading.withStatus(ExecutionStatus.BURNING, 100, T0.plusSeconds(20));
        assertThat(downloading.withinDeliveryOf(delivered))
                .as("due later: the stored time is early")
                .isTrue();
        assertThat(burning.withinDeliveryOf(downloading))
                .as("quiet no more: due at the timeout")
                .isTrue();

        assertThat(downloading.resent(T0.plusSeconds(400)).withinDeliveryOf(downloading))
                .as("a resend moves it")
                .isFalse();
        assertThat(downloading
                        .withStatus(ExecutionStatus.SUCCEEDED, 100, T0.plusSeconds(30))
                        .withinDeliveryOf(downloading))
                .as("the attempt ends")
                .isFalse();
        Execution pending =
                downloading.failed(ExecutionStatus.RETRY_PENDING, -1, "x", T0.plusSeconds(30), T0.plusSeconds(60));
        assertThat(pending.withinDeliveryOf(downloading)).as("a pending retry").isFalse();
        assertThat(pending.delivered(T0.plusSeconds(60)).withinDeliveryOf(pending))
                .as("a new attempt")
                .isFalse();
        assertThat(downloading.withinDeliveryOf(
                        downloading.withStatus(ExecutionStatus.DOWNLOADING, 0, T0.plusSeconds(40))))
                .as("due earlier than before (an earlier report replayed into place)")
                .isFalse();
        Execution noTimeout = inFlight(null).withStatus(ExecutionStatus.DOWNLOADING, 0, T0.plusSeconds(10));
        assertThat(noTimeout
                        .withStatus(ExecutionStatus.BURNING, 100, T0.plusSeconds(20))
                        .withinDeliveryOf(noTimeout))
                .as("burning without a timeout: nothing due; the stored time is early and a re-arm drops it")
                .isTrue();
        assertThat(noTimeout.withinDeliveryOf(noTimeout.withStatus(ExecutionStatus.BURNING, 100, T0.plusSeconds(5))))
                .as("due again after nothing was (an earlier report replayed into place): the row moves")
                .isFalse();
    }
}
