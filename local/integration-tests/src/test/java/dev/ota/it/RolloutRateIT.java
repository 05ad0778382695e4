package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rollout paced at 10 devices a minute: with the stack's clock held between ticks, each tick
 * releases exactly what the token bucket allows, never more, whatever the number of ticks.
 */
class RolloutRateIT {

    @Test
    void ticksReleaseExactlyTheRateAllows() throws Exception {
        try (JobFixture f = new JobFixture("RATE")) {
            f.firmware("2.0.0");
            List<String> devices = JobFixture.names("r", 25);
            String jobId = f.create(f.job("2.0.0").devices(devices).rate(10));
            assertThat(f.jobs.describe(jobId).targetCount()).isEqualTo(25);
            assertThat(f.count(jobId, ExecutionStatus.QUEUED)).isEqualTo(25);

            f.tick();
            assertThat(f.updatedDevices()).hasSize(10).containsExactlyElementsOf(devices.subList(0, 10));
            assertThat(f.count(jobId, ExecutionStatus.DELIVERED)).isEqualTo(10);

            f.tick();
            f.tick();
            assertThat(f.updatedDevices()).as("no time passed: no more tokens").hasSize(10);

            f.advance(Duration.ofSeconds(30));
            f.tick();
            assertThat(f.updatedDevices()).as("half a minute: half the rate").hasSize(15);

            // Idle for longer than a minute, and less than Execution.QUIET_AFTER: the devices
            // delivered first are not yet quiet, so this tick sends only releases.
            f.advance(Duration.ofMinutes(3));
            f.tick();
            assertThat(f.updatedDevices())
                    .as("an idle bucket holds one minute's worth, no burst")
                    .hasSize(25);
            assertThat(f.count(jobId, ExecutionStatus.QUEUED)).isZero();
            assertThat(f.count(jobId, ExecutionStatus.DELIVERED)).isEqualTo(25);
            assertThat(f.updatedDevices()).doesNotHaveDuplicates();
            assertThat(f.jobs.describe(jobId).state()).isEqualTo(JobStatus.IN_PROGRESS);
            assertThat(f.stack.queues().deadLetters()).isEmpty();
        }
    }
}
