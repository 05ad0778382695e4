package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobStatus;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.port.in.JobOperations.JobStatistics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cancel in the middle of a rollout, with real devices on MQTT: once cancel returned, no device
 * gets update_firmware for the job, neither from the rollout nor from the version-report resend
 * path, and the sweep leaves every execution CANCELED with exact counts.
 */
class CancelIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofSeconds(2);

    @Test
    void noUpdateFirmwareAfterCancel() throws Exception {
        try (JobFixture f = new JobFixture("CANCEL")) {
            f.firmware("5.0.0");
            List<String> names = JobFixture.names("c", 8);
            List<SimulatedDevice> devices = new ArrayList<>();
            try {
                for (String name : names) {
                    SimulatedDevice d = new SimulatedDevice(
                                    dev.ota.local.device.Registered.mqttUrl(f.stack, f.product, name),
                                    f.product,
                                    name,
                                    "$ota")
                            .connect();
                    devices.add(d);
                    d.reportVersion("1.0.0");
                    assertThat(d.await("report_version_rsp", WAIT)).isNotNull();
                }
                assertThat(f.stack.router().awaitIdle(10_000)).isTrue();
                String jobId = f.create(f.job("5.0.0").sourceVersions("1.0.0").rate(4));
                f.tick();
                // The first four got the update over MQTT.
                for (int i = 0; i < 4; i++) {
                    JsonNode update = devices.get(i).await("update_firmware", WAIT);
                    assertThat(update).as(names.get(i)).isNotNull();
                    assertThat(update.path("version").asText()).isEqualTo("5.0.0");
                }
                devices.get(0).reportDownloading("5.0.0", 10);
                assertThat(f.stack.router().awaitIdle(10_000)).isTrue();

                assertThat(f.jobs.cancel(jobId).state()).isEqualTo(JobStatus.CANCELED);
                int publishedAtCancel = f.updates().size();

                // Devices in flight report their old version (an interrupted download), past the resend
                // cooldown so that only the cancel can hold the resend back: no resend for a canceled job.
                f.advance(SharedStack.resendCooldown(f.stack).plusSeconds(1));
                devices.get(0).reportVersion("1.0.0");
                devices.get(1).reportVersion("1.0.0");
                // Devices still queued report too: nothing for them either.
                devices.get(6).reportVersion("1.0.0");
                assertThat(f.stack.router().awaitIdle(10_000)).isTrue();
                f.advance(Duration.ofMinutes(2));
                f.tick();
                f.advance(Duration.ofMinutes(2));
                f.tick();
                devices.get(7).reportVersion("1.0.0");
                assertThat(f.stack.router().awaitIdle(10_000)).isTrue();

                for (SimulatedDevice d : devices) {
                    assertThat(d.await("update_firmware", QUIET))
                            .as(d.deviceName() + " got update_firmware after cancel")
                            .isNull();
                }
                assertThat(f.updates())
                        .as("nothing published for the job after cancel")
                        .hasSize(publishedAtCancel);

                JobStatistics stats = f.jobs.statistics(jobId);
                assertThat(stats.counts())
                        .containsEntry(ExecutionStatus.CANCELED, 8L)
                        .containsEntry(ExecutionStatus.QUEUED, 0L)
                        .containsEntry(ExecutionStatus.DELIVERED, 0L)
                        .containsEntry(ExecutionStatus.DOWNLOADING, 0L);
                assertThat(f.jobs.device(f.product, "c-000").liveExecution())
                        .as("the device is free again")
                        .isNull();
                assertThat(f.stack.router().deadLetters()).isEmpty();
                // This job's work only: the shared stack also carries other tests' dead letters.
                assertThat(f.stack.queues().deadLetters())
                        .filteredOn(letter -> letter.body().contains(jobId))
                        .isEmpty();
            } finally {
                devices.forEach(SimulatedDevice::close);
            }
        }
    }
}
