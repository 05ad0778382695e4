package dev.ota.app;

import static dev.ota.domain.device.DeviceReport.burning;
import static dev.ota.domain.device.DeviceReport.done;
import static dev.ota.domain.device.DeviceReport.downloading;
import static dev.ota.domain.device.DeviceReport.fail;
import static dev.ota.domain.device.DeviceReport.version;
import static dev.ota.testing.OtaFixture.FROM;
import static dev.ota.testing.OtaFixture.TARGET;
import static dev.ota.testing.OtaFixture.at;
import static dev.ota.testing.OtaFixture.device;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.protocol.UpdateFirmwareMessage;
import dev.ota.testing.OtaFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Whole device conversations through the services, as the SDKs hold them. */
class OtaFlowTest {

    private final OtaFixture f = new OtaFixture();
    private final DeviceId dev = device("dev-1");

    @Test
    void permanentMd5MismatchEndsFailedAfterMaxAttemptsAndStopsTheLoop() {
        f.knownDevice("dev-1", FROM);
        String jobId = f.updateTo(TARGET, null, "dev-1").jobId(); // DEFAULT: 3 attempts, -4 retryable
        assertThat(f.channel.updates()).hasSize(1);

        long t = 0;
        // The C SDK: download, md5 mismatch, fail -4, re-report the version 2 s later. Forever.
        for (int round = 0; round < 10; round++) {
            f.progress.handle(downloading(dev, TARGET, 0, at(t + 1)));
            f.progress.handle(downloading(dev, TARGET, 100, at(t + 2)));
            f.progress.handle(fail(dev, TARGET, -4, "time_out", at(t + 3)));
            f.versions.handle(version(dev, FROM, at(t + 5)));
            t += 10;
        }

        Execution e = f.execution(dev);
        assertThat(e.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(e.attempt()).isEqualTo(RetryPolicy.DEFAULT.maxAttempts());
        assertThat(e.resultCode()).isEqualTo(-4);
        assertThat(e.resultMsg()).isEqualTo("time_out");
        // one delivery plus one per retry; every version report is still answered
        assertThat(f.channel.updates()).hasSize(3);
        assertThat(f.channel.responses()).hasSize(10);
        assertThat(f.jobs.statusCounts(jobId)).isEqualTo(Map.of(ExecutionStatus.FAILED, 1L));

        f.channel.clear();
        for (int i = 0; i < 5; i++) {
            assertThat(f.versions.handle(version(dev, FROM, at(t + i)))).isEqualTo(Outcome.IGNORED);
        }
        assertThat(f.channel.types()).containsOnly("report_version_rsp").hasSize(5);
    }

    @Test
    void failedDeviceCanBeTargetedByANewJob() {
        f.knownDevice("dev-1", FROM);
        f.updateTo(TARGET, new RetryPolicy(1, Set.of(), Duration.ZERO), "dev-1");
        f.progress.handle(fail(dev, TARGET, -5, "time_out", at(1)));
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.FAILED);

        UpdateDevicesResult again = f.updateTo(TARGET, null, "dev-1");

        assertThat(again.delivered()).containsExactly("dev-1");
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(f.execution(dev).jobId()).isEqualTo(again.jobId());
    }

    @Test
    void transientTimeoutIsRetriedAndThenSucceeds() {
        f.knownDevice("dev-1", FROM);
        String jobId = f.updateTo(TARGET, null, "dev-1").jobId();

        f.progress.handle(downloading(dev, TARGET, 0, at(1)));
        f.progress.handle(downloading(dev, TARGET, 30, at(2)));
        f.progress.handle(fail(dev, TARGET, -1, "time_out", at(3)));
        f.versions.handle(version(dev, FROM, at(5)));
        // a timeout after progress is resumed within the attempt (docs/protocol.md)
        assertThat(f.execution(dev).attempt()).isEqualTo(1);
        assertThat(f.execution(dev).resumes()).isEqualTo(1);
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DELIVERED);

        // a late downloading report from before the resume does not make the new delivery
        // downloading; percent is the run's furthest (the device resumes from its checkpoint)
        f.progress.handle(downloading(dev, TARGET, 90, at(2)));
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(f.execution(dev).attempt()).isEqualTo(1);
        assertThat(f.execution(dev).percent()).isEqualTo(90);

        f.progress.handle(downloading(dev, TARGET, 30, at(6)));
        f.progress.handle(downloading(dev, TARGET, 100, at(7)));
        f.progress.handle(burning(dev, TARGET, at(8)));
        f.progress.handle(done(dev, TARGET, at(9)));
        f.versions.handle(version(dev, TARGET, at(20)));

        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(f.execution(dev).attempt()).isEqualTo(1);
        assertThat(f.store.get(dev).currentVersion()).isEqualTo(TARGET);
        assertThat(f.jobs.statusCounts(jobId)).isEqualTo(Map.of(ExecutionStatus.SUCCEEDED, 1L));
        assertThat(f.channel.updates()).hasSize(2);
    }

    @Test
    void checkpointRestartKeepsTheAttemptAndItsProgress() {
        f.knownDevice("dev-1", FROM);
        f.updateTo(TARGET, null, "dev-1");
        f.progress.handle(downloading(dev, TARGET, 0, at(1)));
        f.progress.handle(downloading(dev, TARGET, 40, at(2)));

        // weak network: the device drops off, reconnects and reports its version
        f.versions.handle(version(dev, FROM, at(60)));

        List<UpdateFirmwareMessage> updates = f.channel.updates();
        assertThat(updates).hasSize(2);
        assertThat(updates.get(1).url()).isNotEqualTo(updates.get(0).url());
        assertThat(updates.get(1))
                .usingRecursiveComparison()
                .ignoringFields("url")
                .isEqualTo(updates.get(0));
        assertThat(f.execution(dev).attempt()).isEqualTo(1);
        assertThat(f.execution(dev).percent()).isEqualTo(40);
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.DOWNLOADING);

        // it resumes from its checkpoint
        assertThat(f.progress.handle(downloading(dev, TARGET, 45, at(61)))).isEqualTo(Outcome.APPLIED);
        f.progress.handle(done(dev, TARGET, at(70)));
        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void deviceThatRebootsIntoTheTargetWithoutSendingDoneSucceeds() {
        f.knownDevice("dev-1", FROM);
        f.updateTo(TARGET, null, "dev-1");
        f.progress.handle(downloading(dev, TARGET, 0, at(1)));
        f.progress.handle(burning(dev, TARGET, at(30)));

        f.versions.handle(version(dev, TARGET, at(60)));

        assertThat(f.execution(dev).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        // a late done after success changes nothing
        assertThat(f.progress.handle(done(dev, TARGET, at(50)))).isEqualTo(Outcome.IGNORED);
    }
}
