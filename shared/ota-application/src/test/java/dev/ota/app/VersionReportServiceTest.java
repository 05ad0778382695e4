package dev.ota.app;

import static dev.ota.domain.device.DeviceReport.fail;
import static dev.ota.domain.device.DeviceReport.version;
import static dev.ota.testing.OtaFixture.FROM;
import static dev.ota.testing.OtaFixture.NOW;
import static dev.ota.testing.OtaFixture.TARGET;
import static dev.ota.testing.OtaFixture.at;
import static dev.ota.testing.OtaFixture.device;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.Decision;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.protocol.UpdateFirmwareMessage;
import dev.ota.protocol.VersionReportResponse;
import dev.ota.testing.OtaFixture;
import dev.ota.testing.RecordingDeviceChannel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VersionReportServiceTest {

    private static final String RSP = "report_version_rsp";
    private static final String UPDATE = "update_firmware";

    private final OtaFixture f = new OtaFixture();
    private final DeviceId dev = device("dev-1");

    private Execution startUpdate(RetryPolicy policy) {
        f.knownDevice("dev-1", FROM);
        f.updateTo(TARGET, policy, "dev-1");
        f.channel.clear();
        return f.execution(dev);
    }

    @Test
    void unknownDeviceIsRecordedAndAnswered() {
        Outcome outcome = f.versions.handle(version(dev, "0.1", at(1)));

        assertThat(outcome).isEqualTo(Outcome.IGNORED);
        assertThat(f.channel.sent()).hasSize(1);
        assertThat(f.channel.sent().get(0).device()).isEqualTo(dev);
        assertThat(f.channel.sent().get(0).answer()).as("an answer: QoS 0").isTrue();
        assertThat(f.channel.sent().get(0).json())
                .isEqualTo(
                        "{\"type\":\"report_version_rsp\",\"result_code\":0,\"result_msg\":\"success\",\"version\":\"0.1\"}");
        DeviceState state = f.store.get(dev);
        assertThat(state.currentVersion()).isEqualTo("0.1");
        assertThat(state.lastSeenAt()).isEqualTo(at(1));
        assertThat(state.execution()).isNull();
    }

    @Test
    void interruptedDownloadGetsTheUpdateAgainAfterTheResponse() {
        Execution delivered = startUpdate(null);

        Outcome outcome = f.versions.handle(version(dev, FROM, at(30)));

        assertThat(outcome).isEqualTo(Outcome.APPLIED);
        assertThat(f.channel.types()).containsExactly(RSP, UPDATE);
        assertThat(f.channel.sent().stream().map(RecordingDeviceChannel.Sent::answer))
                .as("the answer at QoS 0, update_firmware at QoS 1")
                .containsExactly(true, false);
        assertThat(f.channel.responses()).containsExactly(VersionReportResponse.success(FROM));
        UpdateFirmwareMessage msg = f.channel.updates().get(0);
        assertThat(msg.version()).isEqualTo(TARGET);
        assertThat(msg.md5sum()).isEqualTo(f.firmware.md5sum());
        assertThat(msg.fileSize()).isEqualTo(f.firmware.fileSize());
        // checkpoint restart: the same attempt, untouched (the report is kept in its history, the
        // send in the delivery's send record)
        assertThat(f.execution(dev).withHistory(List.of()).withSends(delivered.resends(), delivered.sentAt()))
                .isEqualTo(delivered);
        assertThat(f.execution(dev).sentAt()).isEqualTo(at(30));
        assertThat(f.store.get(dev).currentVersion()).isEqualTo(FROM);
    }

    @Test
    void everyResendCarriesAFreshUrl() {
        startUpdate(null);
        int mintedAtDelivery = f.minter.count();

        f.versions.handle(version(dev, FROM, at(30)));
        f.versions.handle(version(dev, FROM, at(60)));
        f.versions.handle(version(dev, FROM, at(90)));

        List<String> urls =
                f.channel.updates().stream().map(UpdateFirmwareMessage::url).toList();
        assertThat(urls).hasSize(3).doesNotHaveDuplicates();
        assertThat(urls.get(0)).endsWith("?sig=" + (mintedAtDelivery + 1));
        assertThat(f.minter.count()).isEqualTo(mintedAtDelivery + 3);
        assertThat(f.channel.types()).containsExactly(RSP, UPDATE, RSP, UPDATE, RSP, UPDATE);
        assertThat(f.execution(dev).attempt()).isEqualTo(1);
    }

    @Test
    void resendWhileDownloadingOrBurning() {
        Execution e = startUpdate(null);
        for (ExecutionStatus status : List.of(ExecutionStatus.DOWNLOADING, ExecutionStatus.BURNING)) {
            f.store.overwriteExecution(dev, e.withStatus(status, 50, at(5)));
            f.channel.clear();

            assertThat(f.versions.handle(version(dev, FROM, at(100)))).isEqualTo(Outcome.APPLIED);
            assertThat(f.channel.types()).as(status.name()).containsExactly(RSP, UPDATE);
            assertThat(f.execution(dev).status()).isEqualTo(status);
            assertThat(f.execution(dev).percent()).isEqualTo(status == ExecutionStatus.BURNING ? 100 : 50);
        }
    }

    @Test
    void staleVersionReportOnlyGetsTheResponse() {
        startUpdate(null);
        f.versions.handle(version(dev, FROM, at(60)));
        f.channel.clear();
        Execution before = f.execution(dev);

        // an older report that async Lambda delivered late
        Outcome outcome = f.versions.handle(version(dev, "0.5", at(30)));

        assertThat(outcome).isEqualTo(Outcome.IGNORED);
        assertThat(f.channel.types()).containsExactly(RSP);
        assertThat(f.channel.responses()).containsExactly(VersionReportResponse.success("0.5"));
        assertThat(f.store.get(dev).currentVersion()).isEqualTo(FROM);
        assertThat(f.store.get(dev).lastSeenAt()).isEqualTo(at(60));
        assertThat(f.execution(dev).withHistory(List.of())).isEqualTo(before.withHistory(List.of()));
    }

    @Test
    void aLateReportOfTheTargetStillEndsTheUpdateButNotTheCurrentVersion() {
        startUpdate(null);
        f.versions.handle(version(dev, FROM, at(60)));

        f.versions.handle(version(dev, TARGET, at(30)));

        // event time: the device ran the target at 30, so the update succeeded then
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(f.store.get(dev).currentVersion()).isEqualTo(FROM);
    }

    @Test
    void reportingTheTargetSucceedsWithoutAnUpdate() {
        String jobId = startUpdate(null).jobId();

        Outcome outcome = f.versions.handle(version(dev, TARGET, at(120)));

        assertThat(outcome).isEqualTo(Outcome.APPLIED);
        assertThat(f.channel.types()).containsExactly(RSP);
        assertThat(f.channel.responses()).containsExactly(VersionReportResponse.success(TARGET));
        Execution e = f.execution(dev);
        assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(e.percent()).isEqualTo(100);
        assertThat(e.jobId()).isEqualTo(jobId);
        assertThat(f.store.get(dev).currentVersion()).isEqualTo(TARGET);
    }

    @Test
    void afterSuccessFurtherReportsOnlyGetTheResponse() {
        startUpdate(null);
        f.versions.handle(version(dev, TARGET, at(120)));
        f.channel.clear();

        assertThat(f.versions.handle(version(dev, TARGET, at(200)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.versions.handle(version(dev, FROM, at(300)))).isEqualTo(Outcome.IGNORED);

        assertThat(f.channel.types()).containsExactly(RSP, RSP);
    }

    @Test
    void retryPendingStartsTheNextAttemptWithAFreshUpdate() {
        startUpdate(new RetryPolicy(3, Set.of(-1), Duration.ofSeconds(30)));
        f.progress.handle(fail(dev, TARGET, -1, "time_out", at(10)));
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.RETRY_PENDING);

        // the C SDK re-reports 2 s after the failure: too early for this policy
        assertThat(f.versions.handle(version(dev, FROM, at(12)))).isEqualTo(Outcome.IGNORED);
        assertThat(f.channel.types()).containsExactly(RSP);
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.RETRY_PENDING);

        f.channel.clear();
        assertThat(f.versions.handle(version(dev, FROM, at(40)))).isEqualTo(Outcome.APPLIED);
        assertThat(f.channel.types()).containsExactly(RSP, UPDATE);
        Execution e = f.execution(dev);
        assertThat(e.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(e.attempt()).isEqualTo(2);
        assertThat(e.percent()).isZero();
        assertThat(e.attemptStartedAt()).isEqualTo(at(40));
        assertThat(e.resultCode()).isZero();
    }

    @Test
    void lostRaceIsDecidedAgainOnTheFreshState() {
        startUpdate(null);
        f.progress.handle(fail(dev, TARGET, -1, "time_out", at(10)));
        Execution pending = f.execution(dev);
        // Another invocation starts attempt 2 between this one's read and write.
        Execution attempt2 = ((Decision.Transition) ExecutionStateMachine.onVersionReport(
                        new DeviceState(dev, FROM, at(11), pending), version(dev, FROM, at(11))))
                .after();
        f.store.beforeNextTransition(s -> s.overwriteExecution(dev, attempt2));

        Outcome outcome = f.versions.handle(version(dev, FROM, at(12)));

        // decided again on DELIVERED attempt 2: a resend, not an attempt 3; and attempt 2's update
        // went out 1 ms before, inside the resend cooldown: the answer only
        assertThat(outcome).isEqualTo(Outcome.IGNORED);
        assertThat(f.execution(dev).attempt()).isEqualTo(2);
        assertThat(f.execution(dev).attemptStartedAt()).isEqualTo(at(11));
        assertThat(f.channel.types())
                .as("attempt 2's update is the other invocation's")
                .containsExactly(RSP);
    }

    @Test
    void tooManyLostRacesFailTheInvocationAfterAnswering() {
        startUpdate(null);
        f.progress.handle(fail(dev, TARGET, -1, "time_out", at(10)));
        Execution pending = f.execution(dev);
        int[] bump = {0};
        // Something else rewrites the execution before every write: never the state decided from.
        f.store.beforeNextTransition(
                100,
                s -> s.overwriteExecution(
                        dev,
                        pending.failed(ExecutionStatus.RETRY_PENDING, -1, "time_out", at(10), at(10))
                                .withStatus(ExecutionStatus.RETRY_PENDING, 0, at(10).plusMillis(++bump[0]))));

        assertThatThrownBy(() -> f.versions.handle(version(dev, FROM, at(12))))
                .isInstanceOf(ConcurrentUpdateException.class)
                .hasMessage("device p1/dev-1 kept changing under this report");

        assertThat(bump[0]).isEqualTo(Outcome.MAX_RACES);
        assertThat(f.channel.types()).containsExactly(RSP);
    }

    @Test
    void logsOneLinePerReportWithTheAction() {
        startUpdate(null);
        f.versions.handle(version(dev, FROM, at(30)));

        assertThat(f.log.lines())
                .last()
                .asString()
                .contains("\"event\":\"version_report\"")
                .contains("\"action\":\"resend\"")
                .contains("\"device\":\"p1/dev-1\"");
    }

    @Test
    void deviceStateIsKeptWhenTheExecutionIsUnknownToTheReport() {
        f.store.put(new DeviceState(dev, FROM, NOW.minusSeconds(5), null));

        f.versions.handle(version(dev, "1.0.1", at(1)));

        assertThat(f.store.get(dev).currentVersion()).isEqualTo("1.0.1");
        assertThat(f.channel.types()).containsExactly(RSP);
    }
}
