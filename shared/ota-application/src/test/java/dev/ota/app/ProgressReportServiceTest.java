package dev.ota.app;

import static dev.ota.domain.device.DeviceReport.burning;
import static dev.ota.domain.device.DeviceReport.done;
import static dev.ota.domain.device.DeviceReport.downloading;
import static dev.ota.domain.device.DeviceReport.fail;
import static dev.ota.testing.OtaFixture.FROM;
import static dev.ota.testing.OtaFixture.NOW;
import static dev.ota.testing.OtaFixture.TARGET;
import static dev.ota.testing.OtaFixture.at;
import static dev.ota.testing.OtaFixture.device;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.testing.OtaFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProgressReportServiceTest {

    private final OtaFixture f = new OtaFixture();
    private final DeviceId dev = device("dev-1");

    private String startUpdate(RetryPolicy policy) {
        f.knownDevice("dev-1", FROM);
        String jobId = f.updateTo(TARGET, policy, "dev-1").jobId();
        f.channel.clear();
        f.store.writes().clear();
        return jobId;
    }

    @Test
    void fullSequenceDownloadingBurningDone() {
        String jobId = startUpdate(null);

        int findsBefore = f.store.finds();
        assertThat(f.progress.handle(downloading(dev, TARGET, 0, at(1)))).isEqualTo(Outcome.APPLIED);
        assertThat(f.store.finds())
                .as("0 % cannot advance a percent: decided on a read, not on a failed conditional write")
                .isEqualTo(findsBefore + 1);
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DOWNLOADING);
        assertThat(f.execution(dev).percent()).isZero();

        for (int p : new int[] {10, 55, 100}) {
            int finds = f.store.finds();
            assertThat(f.progress.handle(downloading(dev, TARGET, p, at(1 + p))))
                    .isEqualTo(Outcome.APPLIED);
            assertThat(f.store.finds())
                    .as("the fast path is one write and no read")
                    .isEqualTo(finds);
            assertThat(f.execution(dev).percent()).isEqualTo(p);
            assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DOWNLOADING);
        }

        assertThat(f.progress.handle(burning(dev, TARGET, at(200)))).isEqualTo(Outcome.APPLIED);
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.BURNING);

        assertThat(f.progress.handle(done(dev, TARGET, at(300)))).isEqualTo(Outcome.APPLIED);
        Execution e = f.execution(dev);
        assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(e.percent()).isEqualTo(100);
        assertThat(e.attempt()).isEqualTo(1);
        assertThat(e.updatedAt()).isEqualTo(at(300));
        assertThat(f.jobs.statusCounts(jobId)).isEqualTo(Map.of(ExecutionStatus.SUCCEEDED, 1L));

        // the first downloading transitions; later ones take the one-write fast path
        assertThat(f.store.writes())
                .containsExactly(
                        "transition", "advancePercent", "advancePercent", "advancePercent", "transition", "transition");
        // progress reports never send anything to the device
        assertThat(f.channel.sent()).isEmpty();
    }

    @Test
    void doneWithoutBurningAsTheCSampleSendsIt() {
        startUpdate(null);
        f.progress.handle(downloading(dev, TARGET, 0, at(1)));
        f.progress.handle(downloading(dev, TARGET, 100, at(2)));

        assertThat(f.progress.handle(done(dev, TARGET, at(3)))).isEqualTo(Outcome.APPLIED);
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void duplicateAndBackwardsDownloadingAreIgnored() {
        startUpdate(null);
        f.progress.handle(downloading(dev, TARGET, 0, at(1)));
        f.progress.handle(downloading(dev, TARGET, 40, at(2)));
        f.store.writes().clear();

        assertThat(f.progress.handle(downloading(dev, TARGET, 40, at(2))))
                .as("the same report again")
                .isEqualTo(Outcome.IGNORED);
        assertThat(f.store.writes()).isEmpty();
        assertThat(f.progress.handle(downloading(dev, TARGET, 20, at(1))))
                .as("an older, lower one: kept in the history (it may decide a resume), nothing moves")
                .isEqualTo(Outcome.IGNORED);
        assertThat(f.execution(dev).percent()).isEqualTo(40);
        // a newer one with a lower percent keeps the percent, only its time is kept
        assertThat(f.progress.handle(downloading(dev, TARGET, 20, at(4)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.execution(dev).percent()).isEqualTo(40);
        assertThat(f.execution(dev).downloadAt()).isEqualTo(at(4));
    }

    @Test
    void downloadingForAnotherVersionIsIgnored() {
        startUpdate(null);

        assertThat(f.progress.handle(downloading(dev, "9.9", 50, at(1)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.progress.handle(done(dev, "9.9", at(2)))).isEqualTo(Outcome.IGNORED);

        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(f.store.writes()).isEmpty();
    }

    @Test
    void reportsFromBeforeTheUpdateWasDeliveredAreIgnored() {
        startUpdate(null);

        assertThat(f.progress.handle(done(dev, TARGET, NOW.minusSeconds(1)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DELIVERED);
    }

    @Test
    void unknownDeviceIsIgnored() {
        DeviceId stranger = device("stranger");

        assertThat(f.progress.handle(downloading(stranger, TARGET, 10, at(1)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.progress.handle(burning(stranger, TARGET, at(2)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.progress.handle(fail(stranger, TARGET, -1, "time_out", at(3))))
                .isEqualTo(Outcome.IGNORED);

        assertThat(f.store.get(stranger)).isNull();
        assertThat(f.log.lines()).last().asString().contains("\"reason\":\"unknown device\"");
    }

    @Test
    void outOfOrderDownloadingAfterDoneIsIgnored() {
        startUpdate(null);
        f.progress.handle(done(dev, TARGET, at(10)));

        assertThat(f.progress.handle(downloading(dev, TARGET, 50, at(5)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.progress.handle(burning(dev, TARGET, at(6)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void retryableFailAwaitsARetryWithTheDevicesCodeAndMessage() {
        String jobId = startUpdate(new RetryPolicy(3, Set.of(-1, -4), Duration.ofSeconds(30)));
        f.progress.handle(downloading(dev, TARGET, 0, at(1)));
        f.progress.handle(downloading(dev, TARGET, 60, at(2)));

        assertThat(f.progress.handle(fail(dev, TARGET, -4, "time_out", at(3)))).isEqualTo(Outcome.APPLIED);

        Execution e = f.execution(dev);
        assertThat(e.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(e.resultCode()).isEqualTo(-4);
        assertThat(e.resultMsg()).isEqualTo("time_out");
        assertThat(e.retryNotBefore()).isEqualTo(at(33));
        assertThat(e.attempt()).isEqualTo(1);
        assertThat(f.jobs.statusCounts(jobId)).isEqualTo(Map.of(ExecutionStatus.RETRY_PENDING, 1L));
        assertThat(f.channel.sent()).isEmpty();
    }

    @Test
    void duplicateFailDoesNotUseUpAnotherAttempt() {
        startUpdate(null);
        f.progress.handle(fail(dev, TARGET, -4, "time_out", at(3)));
        Execution pending = f.execution(dev);

        assertThat(f.progress.handle(fail(dev, TARGET, -4, "time_out", at(3)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.execution(dev)).isEqualTo(pending);
    }

    @Test
    void fileNotFoundFailsAtOnce() {
        startUpdate(null);

        f.progress.handle(fail(dev, TARGET, -2, "time_out", at(3)));

        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(f.execution(dev).resultCode()).isEqualTo(-2);
    }

    @Test
    void lostRaceOnATransitionIsDecidedAgain() {
        startUpdate(null);
        f.progress.handle(downloading(dev, TARGET, 0, at(1)));
        Execution downloading = f.execution(dev);
        // a concurrent downloading report raises percent between this invocation's read and write
        f.store.beforeNextTransition(
                s -> s.overwriteExecution(dev, downloading.withStatus(ExecutionStatus.DOWNLOADING, 70, at(4))));

        assertThat(f.progress.handle(done(dev, TARGET, at(5)))).isEqualTo(Outcome.APPLIED);

        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void firstDownloadingThatLosesToAnotherIsDecidedAgain() {
        startUpdate(null);
        Execution delivered = f.execution(dev);
        // another downloading report (percent 5) moved DELIVERED -> DOWNLOADING first
        f.store.beforeNextTransition(
                s -> s.overwriteExecution(dev, delivered.withStatus(ExecutionStatus.DOWNLOADING, 5, at(1))));

        assertThat(f.progress.handle(downloading(dev, TARGET, 10, at(2)))).isEqualTo(Outcome.APPLIED);

        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DOWNLOADING);
        assertThat(f.execution(dev).percent()).isEqualTo(10);
        // the first report with progress of a history starts it: a transition, not the fast path
        assertThat(f.store.writes()).containsExactly("transition");
    }

    @Test
    void firstDownloadingThatLosesToAHigherOneIsIgnored() {
        startUpdate(null);
        Execution delivered = f.execution(dev);
        f.store.beforeNextTransition(
                s -> s.overwriteExecution(dev, delivered.withStatus(ExecutionStatus.DOWNLOADING, 30, at(3))));

        assertThat(f.progress.handle(downloading(dev, TARGET, 10, at(2)))).isEqualTo(Outcome.IGNORED);

        assertThat(f.execution(dev).percent()).isEqualTo(30);
    }

    @Test
    void tooManyLostRacesFailTheInvocation() {
        startUpdate(null);
        Execution delivered = f.execution(dev);
        int[] n = {0};
        f.store.beforeNextTransition(
                100,
                s -> s.overwriteExecution(
                        dev, delivered.withStatus(ExecutionStatus.DELIVERED, 0, at(0).plusMillis(++n[0]))));

        assertThatThrownBy(() -> f.progress.handle(burning(dev, TARGET, at(5))))
                .isInstanceOf(ConcurrentUpdateException.class)
                .hasMessageContaining("p1/dev-1");
        assertThat(n[0]).isEqualTo(Outcome.MAX_RACES);
    }

    @Test
    void logsTheTransition() {
        startUpdate(null);

        f.progress.handle(fail(dev, TARGET, -4, "md5 mismatch", at(5)));

        List<String> lines = f.log.lines();
        assertThat(lines)
                .last()
                .asString()
                .contains("\"event\":\"progress_report\"")
                .contains("\"action\":\"transition\"")
                .contains("\"from\":\"DELIVERED\"")
                .contains("\"to\":\"RETRY_PENDING\"")
                .contains("\"resultCode\":-4");
    }
}
