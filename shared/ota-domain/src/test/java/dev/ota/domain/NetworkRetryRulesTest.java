package dev.ota.domain;

import static dev.ota.domain.device.DeviceReport.downloading;
import static dev.ota.domain.device.DeviceReport.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.Decision.Ignore;
import dev.ota.domain.Decision.Transition;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retries that fit real networks (issue 9): a network failure after progress is resumed within its
 * attempt, the -3 and -5 of one HTTP 403 cost one attempt, and failures without progress still end.
 */
class NetworkRetryRulesTest {

    static final DeviceId DEVICE = new DeviceId("p1", "dev-1");
    static final String FROM = "1.0.0";
    static final String TARGET = "1.1.0";
    static final FirmwareRef FIRMWARE =
            new FirmwareRef(TARGET, "firmware/p1/1.1.0/fw.bin", 175436, "5d41402abc4b2a76b9719d911017c592");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final RetryPolicy POLICY = RetryPolicy.DEFAULT;

    /** A device driven through the state machine, as the store would apply each decision. */
    static final class Device {
        Execution exec;
        Instant clock = T0;
        int updatesSent = 1;

        Device(RetryPolicy policy) {
            exec = Execution.queued("job-1", FIRMWARE, FROM, policy, T0.minusSeconds(1))
                    .delivered(T0);
        }

        Instant tick(long millis) {
            clock = clock.plusMillis(millis);
            return clock;
        }

        Decision decide(Decision d) {
            if (d instanceof Transition t) {
                assertThat(t.before()).isEqualTo(exec);
                exec = t.after();
                if (t.after().startsAttemptFrom(t.before())) {
                    updatesSent++;
                }
            }
            return d;
        }

        Decision progress(int percent) {
            return decide(ExecutionStateMachine.onProgress(state(), downloading(DEVICE, TARGET, percent, tick(1000))));
        }

        Decision fail(int code) {
            return fail(code, tick(1000));
        }

        Decision fail(int code, Instant at) {
            return decide(
                    ExecutionStateMachine.onProgress(state(), DeviceReport.fail(DEVICE, TARGET, code, "time_out", at)));
        }

        /** As the C SDK does about 2 s after a failure. */
        Decision reReport() {
            return decide(ExecutionStateMachine.onVersionReport(state(), version(DEVICE, FROM, tick(2000))));
        }

        Decision done() {
            return decide(ExecutionStateMachine.onProgress(state(), DeviceReport.done(DEVICE, TARGET, tick(1000))));
        }

        DeviceState state() {
            return new DeviceState(DEVICE, FROM, T0, exec);
        }
    }

    @Test
    void aNetworkFailureAfterProgressIsResumedInTheSameAttempt() {
        Device d = new Device(POLICY);
        d.progress(40);
        d.fail(-5);
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(d.exec.retryNotBefore()).isEqualTo(d.exec.updatedAt());
        assertThat(d.exec.resultCode()).isEqualTo(-5);

        d.reReport();
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(d.exec.attempt()).isEqualTo(1);
        assertThat(d.exec.resumes()).isEqualTo(1);
        assertThat(d.exec.percent()).as("the run's furthest").isEqualTo(40);
        assertThat(d.exec.attemptStartedAt()).isEqualTo(d.clock);
        assertThat(d.updatesSent).isEqualTo(2);
    }

    @Test
    void fiveCutsOnOneUpdateStillSucceedInTheFirstAttempt() {
        Device d = new Device(POLICY);
        for (int cut = 1; cut <= 5; cut++) {
            d.progress(cut * 15); // the C SDK reports the resumed offset's percent at once
            d.fail(-5);
            d.reReport();
        }
        d.progress(100);
        d.done();
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(d.exec.attempt()).isEqualTo(1);
        assertThat(d.exec.resumes()).isEqualTo(5);
        assertThat(d.updatesSent).isEqualTo(6);
    }

    @Test
    void theSchedulerResumesADueResumeToo() {
        Device d = new Device(POLICY);
        d.progress(10);
        d.fail(-1);
        Decision due = d.decide(ExecutionStateMachine.onDue(d.exec, d.tick(60_000), true));
        assertThat(due).isInstanceOf(Transition.class);
        assertThat(d.exec.attempt()).isEqualTo(1);
        assertThat(d.exec.resumes()).isEqualTo(1);
    }

    @Test
    void aDeviceCutAtTheSamePlaceForeverEndsFailedOnceItsResumesAndAttemptsAreUsed() {
        Device d = new Device(POLICY);
        int cuts = 0;
        while (d.exec.status() != ExecutionStatus.FAILED && cuts < 100) {
            d.progress(40);
            d.fail(-5);
            d.reReport();
            cuts++;
        }
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(cuts).isEqualTo(RetryPolicy.MAX_RESUMES + POLICY.maxAttempts());
        assertThat(d.exec.resumes()).isEqualTo(RetryPolicy.MAX_RESUMES);
        // no loop: a failed update is never sent again
        Decision again = d.reReport();
        assertThat(again).isNotInstanceOf(Decision.Resend.class);
        assertThat(again instanceof Transition t && t.sendUpdate()).isFalse();
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.FAILED);
    }

    @ParameterizedTest
    @ValueSource(ints = {-4, -5, -1})
    void failuresWithoutProgressEndFailedAfterTheirAttempts(int code) {
        Device d = new Device(POLICY);
        for (int attempt = 1; attempt <= POLICY.maxAttempts(); attempt++) {
            assertThat(d.exec.attempt()).isEqualTo(attempt);
            d.progress(0);
            d.fail(code);
            d.reReport();
        }
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(d.exec.resumes()).isZero();
        assertThat(d.updatesSent).isEqualTo(POLICY.maxAttempts());
    }

    @Test
    void notFoundEndsAtOnceEvenAfterProgress() {
        Device d = new Device(POLICY);
        d.progress(50);
        d.fail(-2);
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.FAILED);
    }

    @Test
    void aFinishedDownloadHasNothingToResume() {
        Device d = new Device(POLICY);
        d.progress(100);
        d.fail(-5);
        d.reReport();
        assertThat(d.exec.attempt()).isEqualTo(2);
        assertThat(d.exec.resumes()).isZero();
    }

    @Test
    void aPolicyThatDoesNotRetryNetworkFailuresDoesNotResumeThem() {
        Device d = new Device(new RetryPolicy(3, Set.of(-4), Duration.ZERO));
        d.progress(50);
        d.fail(-5);
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.FAILED);
    }

    @Test
    void theMinus3ThenMinus5OfOne403CostOneAttemptAndTheStrayMinus5NeverLandsOnTheNext() {
        Device d = new Device(POLICY);
        d.progress(30);
        Instant forbiddenAt = d.tick(1000);
        d.fail(-3, forbiddenAt);
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(d.exec.retryNotBefore()).isEqualTo(forbiddenAt.plus(RetryPolicy.FORBIDDEN_SETTLE));
        Instant strayAt = forbiddenAt.plusMillis(1);

        // the -5 processed while the retry is pending: kept in the history, the attempt stays as the -3 decided
        Execution pending = d.exec;
        d.fail(-5, strayAt);
        assertThat(d.exec.withHistory(pending.history())).isEqualTo(pending);

        // a version report inside the settle window starts nothing; the C SDK's, 2 s later, does
        Decision early = d.decide(
                ExecutionStateMachine.onVersionReport(d.state(), version(DEVICE, FROM, forbiddenAt.plusMillis(500))));
        assertThat(early instanceof Transition t && t.sendUpdate()).isFalse();
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        d.reReport();
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(d.exec.attempt()).isEqualTo(2);

        // the -5 processed only now (Lambda reordered it) predates attempt 2: ignored
        Execution second = d.exec;
        assertThat(d.fail(-5, strayAt)).isInstanceOf(Ignore.class);
        assertThat(d.exec).isEqualTo(second);
    }

    @Test
    void theSchedulerAlsoWaitsOutTheSettleWindowAfterA403() {
        Device d = new Device(POLICY);
        Instant forbiddenAt = d.tick(1000);
        d.fail(-3, forbiddenAt);
        assertThat(ExecutionStateMachine.onDue(d.exec, forbiddenAt.plusMillis(1), true))
                .isInstanceOf(Ignore.class);
        assertThat(d.exec.dueAt())
                .isEqualTo(forbiddenAt.plus(RetryPolicy.FORBIDDEN_SETTLE).plus(RetryPolicy.DEVICE_FIRST));
    }

    @Test
    void theDevicesOwnVersionReportStartsTheRetryBeforeTheSchedulerMay() {
        Device d = new Device(POLICY);
        d.progress(0);
        Instant failedAt = d.tick(1000);
        d.fail(-4, failedAt);
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        Instant reReportAt = failedAt.plusSeconds(2);
        assertThat(ExecutionStateMachine.onDue(d.exec, reReportAt, true))
                .as("the scheduler leaves it to the device, whose SDK may still be handling the failure")
                .isInstanceOf(Ignore.class);

        d.reReport(); // about 2 s after the failure, as the C SDK

        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(d.exec.attempt()).isEqualTo(2);
        assertThat(d.exec.attemptStartedAt()).isEqualTo(reReportAt);
        assertThat(d.updatesSent).isEqualTo(2);
    }

    @Test
    void reorderedTheMinus5ComesFirstAndTheMinus3StillCostsTheAttempt() {
        Device d = new Device(POLICY);
        d.progress(30);
        Instant forbiddenAt = d.tick(1000);
        d.fail(-5, forbiddenAt.plusMillis(1)); // taken as a resume at first
        d.fail(-3, forbiddenAt);
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(d.exec.resultCode()).isEqualTo(-3);
        assertThat(d.exec.retryNotBefore()).isEqualTo(forbiddenAt.plus(RetryPolicy.FORBIDDEN_SETTLE));
        d.reReport();
        assertThat(d.exec.attempt()).isEqualTo(2);
        assertThat(d.exec.resumes()).isZero();
        // a second -3 of the same attempt changes nothing
        Execution second = d.exec;
        assertThat(d.fail(-3, forbiddenAt)).isInstanceOf(Ignore.class);
        assertThat(d.exec).isEqualTo(second);
    }

    @Test
    void a403OnTheLastAttemptEndsFailedAndItsMinus5ChangesNothing() {
        Device d = new Device(new RetryPolicy(1, Set.of(-1, -3, -4, -5), Duration.ZERO));
        Instant forbiddenAt = d.tick(1000);
        d.fail(-3, forbiddenAt);
        assertThat(d.exec.status()).isEqualTo(ExecutionStatus.FAILED);
        Execution failed = d.exec;
        d.fail(-5, forbiddenAt.plusMillis(1));
        assertThat(d.exec.withHistory(failed.history())).isEqualTo(failed);
    }

    @Test
    void anOperatorRetryStartsWithNoResumes() {
        Device d = new Device(POLICY);
        d.progress(30);
        d.fail(-5);
        d.reReport();
        assertThat(d.exec.resumes()).isEqualTo(1);
        assertThat(d.exec.restarted(d.tick(1)).resumes()).isZero();
    }
}
