package dev.ota.domain;

import static dev.ota.domain.device.DeviceReport.burning;
import static dev.ota.domain.device.DeviceReport.done;
import static dev.ota.domain.device.DeviceReport.downloading;
import static dev.ota.domain.device.DeviceReport.fail;
import static dev.ota.domain.device.DeviceReport.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.Decision.AdvancePercent;
import dev.ota.domain.Decision.Ignore;
import dev.ota.domain.Decision.Resend;
import dev.ota.domain.Decision.Transition;
import dev.ota.domain.device.DeviceId;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutionStateMachineTest {

    static final DeviceId DEVICE = new DeviceId("p1", "dev-1");
    static final String FROM = "1.0.0";
    static final String TARGET = "1.1.0";
    static final FirmwareRef FIRMWARE =
            new FirmwareRef(TARGET, "firmware/p1/1.1.0/fw.bin", 175436, "5d41402abc4b2a76b9719d911017c592");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final RetryPolicy POLICY = new RetryPolicy(3, Set.of(-1, -3, -4, -5), Duration.ofSeconds(30));

    static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    /** Attempt 1, delivered at T0. */
    static Execution delivered() {
        return Execution.queued("job-1", FIRMWARE, FROM, POLICY, T0.minusSeconds(1))
                .delivered(T0);
    }

    static DeviceState stateWith(Execution execution) {
        return new DeviceState(DEVICE, FROM, T0.minusSeconds(60), execution);
    }

    static Execution apply(Decision decision) {
        assertThat(decision).isInstanceOf(Transition.class);
        return ((Transition) decision).after();
    }

    @Nested
    class ExecutionBasics {

        @Test
        void deliveredStartsTheFirstAttempt() {
            Execution e = delivered();
            assertThat(e.status()).isEqualTo(ExecutionStatus.DELIVERED);
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.percent()).isZero();
            assertThat(e.attemptStartedAt()).isEqualTo(T0);
            assertThat(e.targetVersion()).isEqualTo(TARGET);
            assertThat(e.fromVersion()).isEqualTo(FROM);
            assertThat(e.retryNotBefore()).isNull();
        }

        @Test
        void liveExecutionExcludesTerminalStatuses() {
            for (ExecutionStatus s : ExecutionStatus.values()) {
                DeviceState state = stateWith(delivered().withStatus(s, 0, T0));
                assertThat(state.liveExecution().isPresent()).as(s.name()).isEqualTo(!s.terminal());
            }
            assertThat(stateWith(null).liveExecution()).isEmpty();
        }

        @Test
        void statusClassification() {
            assertThat(ExecutionStatus.values())
                    .filteredOn(ExecutionStatus::inFlight)
                    .containsExactlyInAnyOrder(
                            ExecutionStatus.DELIVERED, ExecutionStatus.DOWNLOADING, ExecutionStatus.BURNING);
            assertThat(ExecutionStatus.values())
                    .filteredOn(ExecutionStatus::terminal)
                    .containsExactlyInAnyOrder(
                            ExecutionStatus.SUCCEEDED,
                            ExecutionStatus.FAILED,
                            ExecutionStatus.TIMED_OUT,
                            ExecutionStatus.CANCELED,
                            ExecutionStatus.SKIPPED);
        }
    }

    @Nested
    class VersionReports {

        @Test
        void noExecutionIsIgnored() {
            Decision d = ExecutionStateMachine.onVersionReport(stateWith(null), version(DEVICE, FROM, at(1)));
            assertThat(d).isEqualTo(new Ignore("no live update"));
        }

        @ParameterizedTest
        @EnumSource(
                value = ExecutionStatus.class,
                names = {"SUCCEEDED", "CANCELED", "SKIPPED"})
        void terminalExecutionIsNotLiveAndIsIgnored(ExecutionStatus status) {
            DeviceState state = stateWith(delivered().withStatus(status, 0, at(1)));
            assertThat(ExecutionStateMachine.onVersionReport(state, version(DEVICE, FROM, at(5))))
                    .isEqualTo(new Ignore("no live update"));
            // even naming the target: a finished execution is never reopened
            assertThat(ExecutionStateMachine.onVersionReport(state, version(DEVICE, TARGET, at(5))))
                    .isEqualTo(new Ignore("no live update"));
        }

        @ParameterizedTest
        @EnumSource(
                value = ExecutionStatus.class,
                names = {"QUEUED", "DELIVERED", "DOWNLOADING", "BURNING", "RETRY_PENDING"})
        void targetVersionMeansSucceededWhateverTheAttemptWasDoing(ExecutionStatus status) {
            Execution before = delivered().withStatus(status, 40, at(1));
            Decision d = ExecutionStateMachine.onVersionReport(stateWith(before), version(DEVICE, TARGET, at(9)));

            Transition t = (Transition) d;
            assertThat(t.before()).isEqualTo(before);
            assertThat(t.sendUpdate()).isFalse();
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(t.after().percent()).isEqualTo(100);
            assertThat(t.after().updatedAt()).isEqualTo(at(9));
            assertThat(t.after().attempt()).isEqualTo(before.attempt());
            assertThat(t.after().jobId()).isEqualTo("job-1");
        }

        @ParameterizedTest
        @EnumSource(
                value = ExecutionStatus.class,
                names = {"DELIVERED", "DOWNLOADING", "BURNING"})
        void otherVersionWhileInFlightResendsTheSameAttempt(ExecutionStatus status) {
            Execution exec = delivered().withStatus(status, 37, at(3));
            Decision d = ExecutionStateMachine.onVersionReport(stateWith(exec), version(DEVICE, FROM, at(10)));

            assertThat(d).isInstanceOf(Resend.class);
            assertThat(((Resend) d).execution()).isEqualTo(exec);
            // the report is kept (a late fail before it would make it the next attempt's start)
            assertThat(((Resend) d).after().history())
                    .extracting(ExecutionEvent::kind)
                    .containsExactly(ExecutionEvent.Kind.BASE, ExecutionEvent.Kind.VERSION);
            assertThat(((Resend) d).after().status()).isEqualTo(status);
            assertThat(((Resend) d).execution().attempt()).isEqualTo(1);
            assertThat(((Resend) d).execution().firmware()).isEqualTo(FIRMWARE);
        }

        @Test
        void anyOtherVersionIsNotTheTarget() {
            // A device reporting some third version is still not on the target: resend.
            Execution exec = delivered();
            assertThat(ExecutionStateMachine.onVersionReport(stateWith(exec), version(DEVICE, "0.9.9", at(10))))
                    .isInstanceOf(Resend.class);
        }

        @Test
        void versionComparisonIsExact() {
            Execution exec = delivered();
            assertThat(ExecutionStateMachine.onVersionReport(stateWith(exec), version(DEVICE, "1.1.0.0", at(10))))
                    .isInstanceOf(Resend.class);
            assertThat(ExecutionStateMachine.onVersionReport(stateWith(exec), version(DEVICE, "V1.1.0", at(10))))
                    .isInstanceOf(Resend.class);
        }

        @Test
        void retryPendingStartsANewAttemptOnceTheIntervalHasPassed() {
            Execution failed = apply(ExecutionStateMachine.onProgress(
                    stateWith(delivered()), fail(DEVICE, TARGET, -1, "time_out", at(20))));
            assertThat(failed.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
            assertThat(failed.retryNotBefore()).isEqualTo(at(50));

            Decision d = ExecutionStateMachine.onVersionReport(stateWith(failed), version(DEVICE, FROM, at(50)));

            Transition t = (Transition) d;
            assertThat(t.sendUpdate()).isTrue();
            assertThat(t.before()).isEqualTo(failed);
            Execution next = t.after();
            assertThat(next.status()).isEqualTo(ExecutionStatus.DELIVERED);
            assertThat(next.attempt()).isEqualTo(2);
            assertThat(next.percent()).isZero();
            assertThat(next.attemptStartedAt()).isEqualTo(at(50));
            assertThat(next.updatedAt()).isEqualTo(at(50));
            assertThat(next.resultCode()).isZero();
            assertThat(next.resultMsg()).isEmpty();
            assertThat(next.retryNotBefore()).isNull();
            assertThat(next.firmware()).isEqualTo(FIRMWARE);
            assertThat(next.jobId()).isEqualTo("job-1");
        }

        @Test
        void retryPendingIgnoresVersionReportsBeforeTheInterval() {
            Execution failed = apply(ExecutionStateMachine.onProgress(
                    stateWith(delivered()), fail(DEVICE, TARGET, -1, "time_out", at(20))));

            Decision d = ExecutionStateMachine.onVersionReport(stateWith(failed), version(DEVICE, FROM, at(22)));

            // kept, sends nothing, starts nothing
            Transition t = (Transition) d;
            assertThat(t.sendUpdate()).isFalse();
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
            assertThat(t.after().attempt()).isEqualTo(1);
            // and the same report again is a duplicate
            assertThat(ExecutionStateMachine.onVersionReport(stateWith(t.after()), version(DEVICE, FROM, at(22))))
                    .isEqualTo(new Ignore("retry not before " + at(50)));
        }

        @Test
        void retryPendingIgnoresAVersionReportSentBeforeTheFailureEvenWithNoInterval() {
            RetryPolicy noWait = new RetryPolicy(3, Set.of(-1), Duration.ZERO);
            Execution exec =
                    Execution.queued("job-1", FIRMWARE, FROM, noWait, T0).delivered(T0);
            Execution failed = apply(
                    ExecutionStateMachine.onProgress(stateWith(exec), fail(DEVICE, TARGET, -1, "time_out", at(20))));

            // a version report from before the failure, delivered late by async Lambda: kept, starts nothing
            Transition late = (Transition)
                    ExecutionStateMachine.onVersionReport(stateWith(failed), version(DEVICE, FROM, at(19)));
            assertThat(late.sendUpdate()).isFalse();
            assertThat(late.after().status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
            assertThat(late.after().attempt()).isEqualTo(1);
            assertThat(ExecutionStateMachine.onVersionReport(stateWith(failed), version(DEVICE, FROM, at(20))))
                    .isInstanceOf(Transition.class);
        }

        @Test
        void retryPendingWithoutANotBeforeStartsANewAttempt() {
            Execution pending = delivered().failed(ExecutionStatus.RETRY_PENDING, -1, "time_out", at(5), null);

            Transition t = (Transition)
                    ExecutionStateMachine.onVersionReport(stateWith(pending), version(DEVICE, FROM, at(6)));
            assertThat(t.after().attempt()).isEqualTo(2);
            assertThat(t.sendUpdate()).isTrue();
        }

        @Test
        void queuedIsNotReleasedByAVersionReport() {
            Execution queued = Execution.queued("job-1", FIRMWARE, FROM, POLICY, T0);
            assertThat(ExecutionStateMachine.onVersionReport(stateWith(queued), version(DEVICE, FROM, at(1))))
                    .isEqualTo(new Ignore("execution is QUEUED"));
        }
    }

    @Nested
    class ProgressReports {

        @Test
        void noExecutionIsIgnored() {
            assertThat(ExecutionStateMachine.onProgress(stateWith(null), done(DEVICE, TARGET, at(1))))
                    .isEqualTo(new Ignore("no live update"));
        }

        @Test
        void versionOtherThanTheTargetIsIgnored() {
            Decision d =
                    ExecutionStateMachine.onProgress(stateWith(delivered()), downloading(DEVICE, "0.9", 10, at(1)));
            assertThat(d).isEqualTo(new Ignore("reports version 0.9 but the update targets " + TARGET));
        }

        @Test
        void reportOlderThanTheAttemptIsIgnored() {
            Execution exec = delivered(); // attemptStartedAt = T0
            for (var report : new dev.ota.domain.device.DeviceReport.ProgressReport[] {
                downloading(DEVICE, TARGET, 50, T0.minusMillis(1)),
                burning(DEVICE, TARGET, T0.minusMillis(1)),
                done(DEVICE, TARGET, T0.minusMillis(1)),
                fail(DEVICE, TARGET, -1, "time_out", T0.minusMillis(1))
            }) {
                Decision d = ExecutionStateMachine.onProgress(stateWith(exec), report);
                assertThat(d).as(report.state().wire()).isEqualTo(new Ignore("report predates attempt 1"));
            }
        }

        @Test
        void reportAtTheAttemptsStartIsNotStale() {
            assertThat(ExecutionStateMachine.onProgress(stateWith(delivered()), downloading(DEVICE, TARGET, 0, T0)))
                    .isInstanceOf(Transition.class);
        }

        @Test
        void firstDownloadingMovesDeliveredToDownloading() {
            Execution exec = delivered();
            Transition t = (Transition)
                    ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, 10, at(2)));

            assertThat(t.before()).isEqualTo(exec);
            assertThat(t.sendUpdate()).isFalse();
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.DOWNLOADING);
            assertThat(t.after().percent()).isEqualTo(10);
            assertThat(t.after().attempt()).isEqualTo(1);
            assertThat(t.after().attemptStartedAt()).isEqualTo(T0);
            assertThat(t.after().updatedAt()).isEqualTo(at(2));
        }

        @Test
        void firstDownloadingWithoutPercentKeepsPercent() {
            Transition t = (Transition)
                    ExecutionStateMachine.onProgress(stateWith(delivered()), downloading(DEVICE, TARGET, null, at(2)));
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.DOWNLOADING);
            assertThat(t.after().percent()).isZero();
        }

        @Test
        void downloadingPercentThatAdvancesIsAnAdvance() {
            Execution exec = apply(
                    ExecutionStateMachine.onProgress(stateWith(delivered()), downloading(DEVICE, TARGET, 10, at(2))));
            Decision d = ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, 11, at(3)));
            assertThat(d).isEqualTo(new AdvancePercent(exec, 11));
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 9, 10})
        void downloadingPercentThatDoesNotAdvanceLeavesThePercent(int percent) {
            Execution exec = delivered().withDownload(10, at(2)).withStatus(ExecutionStatus.DOWNLOADING, 10, at(2));
            Decision d = ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, percent, at(2)));
            if (percent == 0) {
                assertThat(d).isEqualTo(new Ignore("percent 0 does not advance on 10"));
            } else {
                // kept in the history (it may decide a resume), the percent as it was
                Execution after = ((Transition) d).after();
                assertThat(after.percent()).isEqualTo(10);
                assertThat(after.status()).isEqualTo(ExecutionStatus.DOWNLOADING);
                assertThat(after.history()).contains(ExecutionStateMachine.download(percent, at(2)));
            }
        }

        @Test
        void downloadingWithoutPercentWhileDownloadingIsIgnored() {
            Execution exec = delivered().withDownload(10, at(2)).withStatus(ExecutionStatus.DOWNLOADING, 10, at(2));
            assertThat(ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, null, at(1))))
                    .isInstanceOf(Ignore.class);
        }

        @Test
        void downloadingAfterBurningDoesNotMoveBack() {
            Execution exec = delivered().withStatus(ExecutionStatus.BURNING, 100, at(2));
            Transition t = (Transition)
                    ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, 100, at(3)));
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.BURNING);
            assertThat(t.after().downloadAt()).isEqualTo(at(3));
        }

        @ParameterizedTest
        @EnumSource(
                value = ExecutionStatus.class,
                names = {"DELIVERED", "DOWNLOADING"})
        void burningFollowsDeliveredOrDownloading(ExecutionStatus from) {
            Execution exec = delivered().withStatus(from, 60, at(2));
            Transition t =
                    (Transition) ExecutionStateMachine.onProgress(stateWith(exec), burning(DEVICE, TARGET, at(3)));

            assertThat(t.before()).isEqualTo(exec);
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.BURNING);
            assertThat(t.after().percent()).isEqualTo(100);
            assertThat(t.sendUpdate()).isFalse();
        }

        @Test
        void burningTwiceIsKeptButChangesNoStatus() {
            Execution exec =
                    apply(ExecutionStateMachine.onProgress(stateWith(delivered()), burning(DEVICE, TARGET, at(2))));
            Execution again = apply(ExecutionStateMachine.onProgress(stateWith(exec), burning(DEVICE, TARGET, at(3))));
            assertThat(again.status()).isEqualTo(ExecutionStatus.BURNING);
            assertThat(again.updatedAt()).isEqualTo(at(2));
            assertThat(ExecutionStateMachine.onProgress(stateWith(again), burning(DEVICE, TARGET, at(3))))
                    .as("the same report again")
                    .isEqualTo(new Ignore("changes nothing"));
        }

        @ParameterizedTest
        @EnumSource(
                value = ExecutionStatus.class,
                names = {"DELIVERED", "DOWNLOADING", "BURNING"})
        void doneSucceeds(ExecutionStatus from) {
            // The C sample never sends burning, and downloading reports travel at QoS 0.
            Execution exec = delivered().withStatus(from, 30, at(2));
            Transition t = (Transition) ExecutionStateMachine.onProgress(stateWith(exec), done(DEVICE, TARGET, at(4)));

            assertThat(t.after().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(t.after().percent()).isEqualTo(100);
            assertThat(t.after().updatedAt()).isEqualTo(at(4));
            assertThat(t.sendUpdate()).isFalse();
        }

        // -1 and -5 after progress are resumed instead (NetworkRetryRulesTest)
        @ParameterizedTest
        @ValueSource(ints = {-3, -4})
        void retryableFailWithAttemptsLeftAwaitsARetry(int code) {
            Execution exec = delivered().withStatus(ExecutionStatus.DOWNLOADING, 42, at(2));
            Transition t = (Transition)
                    ExecutionStateMachine.onProgress(stateWith(exec), fail(DEVICE, TARGET, code, "time_out", at(5)));

            Execution after = t.after();
            assertThat(after.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
            assertThat(after.resultCode()).isEqualTo(code);
            assertThat(after.resultMsg()).isEqualTo("time_out");
            assertThat(after.attempt()).isEqualTo(1);
            assertThat(after.percent()).isEqualTo(42);
            assertThat(after.updatedAt()).isEqualTo(at(5));
            assertThat(after.retryNotBefore()).isEqualTo(at(5).plus(POLICY.retryInterval()));
            assertThat(t.sendUpdate()).isFalse();
        }

        @Test
        void failFromDeliveredCountsToo() {
            // -3 (expired signature) comes before any downloading report.
            Transition t = (Transition) ExecutionStateMachine.onProgress(
                    stateWith(delivered()), fail(DEVICE, TARGET, -3, "time_out", at(1)));
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
            assertThat(t.after().resultCode()).isEqualTo(-3);
        }

        @Test
        void failOnTheLastAttemptFails() {
            Execution exec = delivered();
            // attempt 1 -> 2 -> 3 via RETRY_PENDING and version reports
            for (int i = 0; i < 2; i++) {
                exec = exec.failed(ExecutionStatus.RETRY_PENDING, -4, "time_out", at(i * 100), at(i * 100))
                        .delivered(at(i * 100 + 1));
            }
            assertThat(exec.attempt()).isEqualTo(POLICY.maxAttempts());

            Transition t = (Transition)
                    ExecutionStateMachine.onProgress(stateWith(exec), fail(DEVICE, TARGET, -4, "time_out", at(500)));

            assertThat(t.after().status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(t.after().resultCode()).isEqualTo(-4);
            assertThat(t.after().resultMsg()).isEqualTo("time_out");
            assertThat(t.after().retryNotBefore()).isNull();
            assertThat(t.after().attempt()).isEqualTo(3);
        }

        @Test
        void nonRetryableFileNotFoundFailsAtOnce() {
            Transition t = (Transition) ExecutionStateMachine.onProgress(
                    stateWith(delivered()), fail(DEVICE, TARGET, -2, "time_out", at(1)));
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(t.after().resultCode()).isEqualTo(-2);
            assertThat(t.after().attempt()).isEqualTo(1);
        }

        @Test
        void singleAttemptPolicyFailsAtOnce() {
            RetryPolicy once = new RetryPolicy(1, Set.of(-1, -2, -3, -4, -5), Duration.ZERO);
            Execution exec = Execution.queued("job-1", FIRMWARE, FROM, once, T0).delivered(T0);
            Transition t = (Transition)
                    ExecutionStateMachine.onProgress(stateWith(exec), fail(DEVICE, TARGET, -1, "time_out", at(1)));
            assertThat(t.after().status()).isEqualTo(ExecutionStatus.FAILED);
        }

        @ParameterizedTest
        @EnumSource(
                value = ExecutionStatus.class,
                names = {"SUCCEEDED", "CANCELED"})
        void reportsAfterTheEndAreIgnored(ExecutionStatus end) {
            DeviceState state = stateWith(delivered().withStatus(end, 100, at(5)));
            for (var report : new dev.ota.domain.device.DeviceReport.ProgressReport[] {
                downloading(DEVICE, TARGET, 100, at(6)), burning(DEVICE, TARGET, at(6)),
                done(DEVICE, TARGET, at(6)), fail(DEVICE, TARGET, -1, "time_out", at(6))
            }) {
                assertThat(ExecutionStateMachine.onProgress(state, report))
                        .as(report.state().wire())
                        .isEqualTo(new Ignore("no live update"));
            }
        }

        @Test
        void aLateDownloadingWithAHigherPercentIsNotTheFastPath() {
            // Found by the store property test: the fast path raises percent and download time
            // together, so it refuses a report older than the last; deciding AdvancePercent again
            // for it made the service lose the same "race" until it gave up.
            Execution exec = delivered().withDownload(40, at(3)).withStatus(ExecutionStatus.DOWNLOADING, 40, at(3));
            Decision d = ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, 50, at(2)));
            Transition t = (Transition) d;
            assertThat(t.after().percent()).isEqualTo(50);
            assertThat(t.after().downloadAt()).isEqualTo(at(3));
        }

        @Test
        void aDoneOrBurningNewerThanTheFailureOfTheAttemptWins() {
            // The Java SDK retries a truncated download by itself after reporting the fail.
            Execution pending = apply(
                    ExecutionStateMachine.onProgress(stateWith(delivered()), fail(DEVICE, TARGET, -4, "md5", at(5))));
            assertThat(apply(ExecutionStateMachine.onProgress(stateWith(pending), done(DEVICE, TARGET, at(6))))
                            .status())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(apply(ExecutionStateMachine.onProgress(stateWith(pending), burning(DEVICE, TARGET, at(6))))
                            .status())
                    .isEqualTo(ExecutionStatus.BURNING);
            // a burning older than the fail does not
            assertThat(apply(ExecutionStateMachine.onProgress(stateWith(pending), burning(DEVICE, TARGET, at(4))))
                            .status())
                    .isEqualTo(ExecutionStatus.RETRY_PENDING);
            // a done wins even when older: the device finished the attempt
            assertThat(apply(ExecutionStateMachine.onProgress(stateWith(pending), done(DEVICE, TARGET, at(4))))
                            .status())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
        }

        @Test
        void theMinusThreeOfAMinusThreeMinusFivePairDecidesTheAttemptInOneMillisecond() {
            RetryPolicy only403 = new RetryPolicy(3, Set.of(-3), Duration.ZERO);
            Execution exec =
                    Execution.queued("job-1", FIRMWARE, FROM, only403, T0).delivered(T0);
            Execution a =
                    apply(ExecutionStateMachine.onProgress(stateWith(exec), fail(DEVICE, TARGET, -3, "403", at(5))));
            Execution ab =
                    apply(ExecutionStateMachine.onProgress(stateWith(a), fail(DEVICE, TARGET, -5, "failed", at(5))));
            Execution b =
                    apply(ExecutionStateMachine.onProgress(stateWith(exec), fail(DEVICE, TARGET, -5, "failed", at(5))));
            Execution ba =
                    apply(ExecutionStateMachine.onProgress(stateWith(b), fail(DEVICE, TARGET, -3, "403", at(5))));
            // the pair costs one attempt, decided by the -3, whichever came first
            assertThat(ab.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
            assertThat(ab.resultCode()).isEqualTo(-3);
            assertThat(ab.retryNotBefore()).isEqualTo(at(5).plus(RetryPolicy.FORBIDDEN_SETTLE));
            assertThat(ba.status()).isEqualTo(ab.status());
            assertThat(ba.resultCode()).isEqualTo(ab.resultCode());
        }

        @Test
        void aLateFailOfTheAttemptMakesTheResendAfterItTheNextAttempt() {
            // dl10, dl50, fail -4, report_version(old), dl30, dl100, done; delivered with the fail last
            Execution exec = Execution.queued("job-1", FIRMWARE, FROM, RetryPolicy.DEFAULT, T0)
                    .delivered(T0);
            for (var r : new dev.ota.domain.device.DeviceReport[] {
                downloading(DEVICE, TARGET, 10, at(1)),
                downloading(DEVICE, TARGET, 50, at(2)),
                version(DEVICE, FROM, at(4)),
                downloading(DEVICE, TARGET, 30, at(5)),
                downloading(DEVICE, TARGET, 100, at(6)),
                done(DEVICE, TARGET, at(7)),
                fail(DEVICE, TARGET, -4, "md5", at(3))
            }) {
                Decision d = r instanceof dev.ota.domain.device.DeviceReport.VersionReport v
                        ? ExecutionStateMachine.onVersionReport(stateWith(exec), v)
                        : ExecutionStateMachine.onProgress(
                                stateWith(exec), (dev.ota.domain.device.DeviceReport.ProgressReport) r);
                if (d instanceof Transition t) {
                    exec = t.after();
                } else if (d instanceof Resend rs && rs.after() != null) {
                    exec = rs.after();
                } else if (d instanceof AdvancePercent) {
                    exec = ExecutionStateMachine.replay(
                            exec.withDownload(((AdvancePercent) d).percent(), r.receivedAt()));
                }
            }
            assertThat(exec.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(exec.attempt())
                    .as("the version report after the fail began attempt 2")
                    .isEqualTo(2);
            assertThat(exec.attemptStartedAt()).isEqualTo(at(4));
        }

        @Test
        void progressWhileQueuedIsIgnored() {
            Execution queued = Execution.queued("job-1", FIRMWARE, FROM, POLICY, T0);
            assertThat(ExecutionStateMachine.onProgress(stateWith(queued), downloading(DEVICE, TARGET, 5, at(1))))
                    .isEqualTo(new Ignore("execution is QUEUED"));
        }

        @Test
        void doneThenALateDownloadingChangesNothing() {
            Execution succeeded =
                    apply(ExecutionStateMachine.onProgress(stateWith(delivered()), done(DEVICE, TARGET, at(10))));
            // kept (with the fails of its attempt it decides resumes), the update succeeded all the same
            assertThat(ExecutionStateMachine.onProgress(stateWith(succeeded), downloading(DEVICE, TARGET, 50, at(5))))
                    .isInstanceOf(Transition.class)
                    .extracting(d -> ((Transition) d).after().status())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(ExecutionStateMachine.onProgress(stateWith(succeeded), downloading(DEVICE, TARGET, 50, at(11))))
                    .as("after the done")
                    .isInstanceOf(Ignore.class);
            assertThat(ExecutionStateMachine.onProgress(stateWith(succeeded), fail(DEVICE, TARGET, -1, "late", at(5))))
                    .as("a fail older than the done: the done wins")
                    .isInstanceOf(Transition.class)
                    .extracting(d -> ((Transition) d).after().status())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
        }

        @Test
        void burningThenALateDownloadingDoesNotMoveBack() {
            Execution exec = delivered().withStatus(ExecutionStatus.DOWNLOADING, 80, at(2));
            Execution burning =
                    apply(ExecutionStateMachine.onProgress(stateWith(exec), burning(DEVICE, TARGET, at(10))));
            Execution after =
                    apply(ExecutionStateMachine.onProgress(stateWith(burning), downloading(DEVICE, TARGET, 90, at(8))));
            assertThat(after.status()).isEqualTo(ExecutionStatus.BURNING);
        }

        @Test
        void staleFailFromAnEarlierAttemptDoesNotEndTheNewAttempt() {
            Execution pending = delivered().failed(ExecutionStatus.RETRY_PENDING, -1, "time_out", at(10), at(10));
            Execution attempt2 = pending.delivered(at(20));
            // a duplicate of attempt 1's fail, received at 10, delivered late
            assertThat(ExecutionStateMachine.onProgress(
                            stateWith(attempt2), fail(DEVICE, TARGET, -1, "time_out", at(10))))
                    .isEqualTo(new Ignore("report predates attempt 2"));
        }

        @Test
        void percentSequenceOfTheCSdk() {
            // 0, then at most one a second, then 100; then done
            Execution exec = delivered();
            exec = apply(ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, 0, at(1))));
            assertThat(exec.status()).isEqualTo(ExecutionStatus.DOWNLOADING);
            // the first report with progress is kept in the history (a network failure after it is resumed)
            Transition first = (Transition)
                    ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, 12, at(14)));
            assertThat(first.after().percent()).isEqualTo(12);
            exec = first.after();
            for (int p : new int[] {40, 77, 100}) {
                Decision d =
                        ExecutionStateMachine.onProgress(stateWith(exec), downloading(DEVICE, TARGET, p, at(2 + p)));
                assertThat(d).isEqualTo(new AdvancePercent(exec, p));
                exec = ExecutionStateMachine.advanced(exec, p, at(2 + p));
            }
            assertThat(apply(ExecutionStateMachine.onProgress(stateWith(exec), done(DEVICE, TARGET, at(200))))
                            .status())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
        }
    }

    @Nested
    class RetryPolicies {

        @Test
        void defaultRetriesAllButFileNotFound() {
            assertThat(RetryPolicy.DEFAULT.maxAttempts()).isEqualTo(3);
            assertThat(RetryPolicy.DEFAULT.retryableCodes()).containsExactlyInAnyOrder(-1, -3, -4, -5);
            assertThat(RetryPolicy.DEFAULT.allowsAnotherAttempt(1, -2)).isFalse();
        }

        @Test
        void attemptsAreCountedFirstIncluded() {
            RetryPolicy p = new RetryPolicy(3, Set.of(-1), Duration.ZERO);
            assertThat(p.allowsAnotherAttempt(1, -1)).isTrue();
            assertThat(p.allowsAnotherAttempt(2, -1)).isTrue();
            assertThat(p.allowsAnotherAttempt(3, -1)).isFalse();
            assertThat(p.allowsAnotherAttempt(1, -4)).isFalse();
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -1, 12})
        void maxAttemptsIsBounded(int max) {
            assertThatThrownBy(() -> new RetryPolicy(max, Set.of(), Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxAttempts must be 1..11");
        }

        @Test
        void negativeIntervalIsRejected() {
            assertThatThrownBy(() -> new RetryPolicy(2, Set.of(), Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("retryInterval must not be negative");
        }

        @Test
        void retryableCodesAreCopied() {
            var codes = new java.util.HashSet<>(Set.of(-1));
            RetryPolicy p = new RetryPolicy(2, codes, Duration.ZERO);
            codes.add(-2);
            assertThat(p.allowsAnotherAttempt(1, -2)).isFalse();
        }
    }
}
