package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dynamic jobs take devices that qualify after they were created; static ones do not. A device two
 * live jobs name belongs to the job that released it first; the other records it SKIPPED (with the
 * holder), and a dynamic one takes it once it is free.
 */
class DynamicJobIT {

    /** The version-report function caches each product's dynamic jobs this long (DYNAMIC_JOBS_CACHE_SECONDS). */
    private static final Duration CACHE = Duration.ofSeconds(31);

    @Test
    void dynamicJobPicksUpADeviceThatReportsAMatchingVersionLater() throws Exception {
        try (JobFixture f = new JobFixture("DYN")) {
            f.firmware("2.0.0");
            f.reportVersion("early", "1.0.0");
            f.reportVersion("other", "1.5.0");
            String dynamic = f.create(f.job("2.0.0").sourceVersions("1.0.0").dynamic());
            assertThat(f.jobs.describe(dynamic).targetCount()).isEqualTo(1);
            f.tick();
            assertThat(f.updatedDevices()).containsExactly("early");

            f.advance(CACHE);
            f.reportVersion("late", "1.0.0");
            f.reportVersion("off-version", "1.5.0");
            assertThat(f.jobs.describe(dynamic).targetCount())
                    .as("the late device joined, the other version did not")
                    .isEqualTo(2);
            f.tick();
            assertThat(f.updatedDevices()).containsExactly("early", "late");
            f.succeed("late", "2.0.0");
            assertThat(row(f, dynamic, "late").status()).isEqualTo(ExecutionStatus.SUCCEEDED);

            // A device that reached the target and reports an old version again is not taken twice.
            f.reportVersion("late", "1.0.0");
            f.tick();
            assertThat(f.updatedDevices()).hasSize(2);
        }
    }

    @Test
    void staticJobDoesNotPickUpLaterDevices() throws Exception {
        try (JobFixture f = new JobFixture("STATIC")) {
            f.firmware("2.0.0");
            f.reportVersion("first", "1.0.0");
            String job = f.create(f.job("2.0.0").sourceVersions("1.0.0"));
            f.tick();
            f.advance(CACHE);
            f.reportVersion("later", "1.0.0");
            f.tick();
            assertThat(f.updatedDevices()).containsExactly("first");
            assertThat(f.jobs.describe(job).targetCount()).isEqualTo(1);
        }
    }

    @Test
    void aDeviceHeldByAnotherJobIsSkippedThenTakenByTheDynamicJobWhenFree() throws Exception {
        try (JobFixture f = new JobFixture("HOLD")) {
            f.firmware("2.0.0");
            f.firmware("3.0.0");
            f.reportVersion("shared", "1.0.0");
            String first = f.create(f.job("2.0.0").devices(List.of("shared")));
            f.tick();
            assertThat(f.updatedDevices()).containsExactly("shared");

            String second = f.create(f.job("3.0.0").devices(List.of("shared")).dynamic());
            f.tick();
            DeviceExecutionView skipped = row(f, second, "shared");
            assertThat(skipped.status()).isEqualTo(ExecutionStatus.SKIPPED);
            assertThat(skipped.resultMsg()).isEqualTo("held by job " + first);
            assertThat(f.updatedDevices()).as("the holder keeps the device").containsExactly("shared");

            f.succeed("shared", "2.0.0");
            f.advance(CACHE);
            f.reportVersion("shared", "2.0.0");
            f.tick();
            assertThat(f.updatedDevices())
                    .as("free again: the waiting dynamic job takes it")
                    .containsExactly("shared", "shared");
            assertThat(f.updates().get(1).path("version").asText()).isEqualTo("3.0.0");
            assertThat(f.counts(second))
                    .containsEntry(ExecutionStatus.DELIVERED, 1L)
                    .containsEntry(ExecutionStatus.SKIPPED, 0L);
            assertThat(f.jobs.describe(second).targetCount()).isEqualTo(1);
        }
    }

    private static DeviceExecutionView row(JobFixture f, String jobId, String device) {
        return f.jobs.devices(jobId, null, null, 100).items().stream()
                .filter(d -> d.deviceName().equals(device))
                .findFirst()
                .orElseThrow();
    }
}
