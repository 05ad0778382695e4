package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import dev.ota.port.in.JobOperations.JobStatistics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An attempt that stays in progress past its timeout becomes a pending retry; when the retry
 * interval passed the scheduler sends update_firmware again by itself; when the attempts run out
 * the device ends TIMED_OUT, and its later version reports (the C SDK re-reports every 2 s after a
 * failure) get no update again.
 */
class TimeoutRetryIT {

    @Test
    void timeoutBecomesARetryThenAFinalTimeout() throws Exception {
        try (JobFixture f = new JobFixture("TIMEOUT")) {
            f.firmware("4.0.0");
            f.reportVersion("t-1", "1.0.0");
            String jobId = f.create(f.job("4.0.0")
                    .devices(List.of("t-1"))
                    .timeout(Duration.ofMinutes(2))
                    .retry(2, Duration.ofSeconds(30), -1, -4));
            f.tick();
            assertThat(f.updatedDevices()).containsExactly("t-1");
            f.progress("t-1", "downloading", "4.0.0", 30, 0);

            f.advance(Duration.ofSeconds(119));
            f.tick();
            assertThat(f.count(jobId, ExecutionStatus.DELIVERED))
                    .as("not yet due: still in flight (counted as DELIVERED till the attempt ends)")
                    .isEqualTo(1);
            assertThat(device(f, jobId).status()).isEqualTo(ExecutionStatus.DOWNLOADING);

            f.advance(Duration.ofSeconds(2));
            f.tick();
            DeviceExecutionView pending = device(f, jobId);
            assertThat(pending.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
            assertThat(pending.resultMsg()).contains("in-progress timeout");
            assertThat(f.updatedDevices())
                    .as("the retry waits for its interval")
                    .hasSize(1);

            f.reportVersion("t-1", "1.0.0");
            assertThat(f.updatedDevices())
                    .as("a version report inside the interval starts nothing")
                    .hasSize(1);

            f.advance(Duration.ofSeconds(31));
            f.tick();
            assertThat(f.updatedDevices())
                    .as("the device's own version report first, a while (RetryPolicy.DEVICE_FIRST)")
                    .hasSize(1);
            f.advance(RetryPolicy.DEVICE_FIRST);
            f.tick();
            assertThat(f.updatedDevices())
                    .as("the scheduler re-sent the update when the interval passed")
                    .containsExactly("t-1", "t-1");
            DeviceExecutionView second = device(f, jobId);
            assertThat(second.status()).isEqualTo(ExecutionStatus.DELIVERED);
            assertThat(second.attempt()).isEqualTo(2);

            f.advance(Duration.ofSeconds(121));
            f.tick();
            DeviceExecutionView last = device(f, jobId);
            assertThat(last.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
            assertThat(last.attempt()).isEqualTo(2);

            for (int i = 0; i < 3; i++) {
                f.advance(Duration.ofSeconds(2));
                f.reportVersion("t-1", "1.0.0");
                f.tick();
            }
            assertThat(f.updatedDevices()).as("no loop after the last attempt").hasSize(2);
            JobStatistics stats = f.jobs.statistics(jobId);
            assertThat(stats.counts()).containsEntry(ExecutionStatus.TIMED_OUT, 1L);
            assertThat(stats.failed()).isEqualTo(1);
            assertThat(stats.retries()).isEqualTo(1);
            assertThat(stats.counts().values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .as("one device, counted once")
                    .isEqualTo(1);
            assertThat(f.jobs.describe(jobId).state().name()).isEqualTo("COMPLETED");
        }
    }

    @Test
    void failedAttemptIsRetriedByTheDeviceReportAndCountsOnce() throws Exception {
        try (JobFixture f = new JobFixture("RETRY")) {
            f.firmware("4.1.0");
            f.reportVersion("r-1", "1.0.0");
            String jobId = f.create(f.job("4.1.0").devices(List.of("r-1")).retry(3, Duration.ZERO, -4));
            f.tick();
            f.fail("r-1", "4.1.0", -4);
            assertThat(device(f, jobId).status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
            f.reportVersion("r-1", "1.0.0");
            assertThat(f.updatedDevices())
                    .as("the device's re-report starts attempt 2")
                    .containsExactly("r-1", "r-1");
            f.succeed("r-1", "4.1.0");
            JobStatistics stats = f.jobs.statistics(jobId);
            assertThat(stats.succeeded()).isEqualTo(1);
            assertThat(stats.retries()).isEqualTo(1);
            assertThat(stats.counts().values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .isEqualTo(1);
        }
    }

    private static DeviceExecutionView device(JobFixture f, String jobId) {
        return f.jobs.devices(jobId, null, null, 10).items().get(0);
    }
}
