package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.T0;
import static dev.ota.app.jobs.EngineFixture.TARGET;
import static dev.ota.app.jobs.EngineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ota.app.jobs.ReleasedNow.Reason;
import dev.ota.app.jobs.ReleasedNow.Skip;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.port.out.RolloutStore.RowView;
import dev.ota.protocol.UpdateFirmwareMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RELEASE: one chunk of queued devices, one transaction and one publish each; the first job to release a device holds it. */
class ReleaserTest {

    private final EngineFixture f = new EngineFixture();

    private Releaser.Result release(String jobId, long fromSeq, long toSeq) {
        return new Releaser(f.jobs, f.rollout, f.devices, f.sender, f.clock, f.log.log())
                .release(jobId, 0, fromSeq, toSeq);
    }

    @Test
    void everyQueuedDeviceOfTheChunkTakesTheUpdateAndIsSentIt() {
        String job = f.create(request().devices(f.fleet(3, FROM)).timeout(Duration.ofMinutes(10)));

        Releaser.Result result = release(job, 0, 2);

        assertThat(result).isEqualTo(new Releaser.Result(List.of("d01", "d02", "d03"), Map.of(), 0, false));
        Execution e = f.execution("d02");
        assertThat(e.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(e.attempt()).isEqualTo(1);
        assertThat(e.fromVersion()).isEqualTo(FROM);
        assertThat(e.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(f.row(job, "d02").status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(f.rollout.dueAt(job, "d02"))
                .as("quiet before the timeout")
                .isEqualTo(T0.plus(Execution.QUIET_AFTER));
        assertThat(f.rollout.nextQueued(job, 10)).isEmpty();
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED)).isEqualTo(3);
        assertThat(f.counts(job).stage(0).live()).isEqualTo(3);
        assertThat(f.updated()).containsExactly("d01", "d02", "d03");
        UpdateFirmwareMessage sent = f.recorded.updates().get(0);
        assertThat(sent.version()).isEqualTo(TARGET);
        assertThat(sent.md5sum()).isEqualTo(f.firmware.md5sum());
        // one more when the job was created: the URL budget is checked on a URL minted then
        assertThat(f.minter.count()).as("a URL minted per send").isEqualTo(1 + 3);
    }

    @Test
    void onlyTheChunksQueuePositionsAreReleased() {
        String job = f.create(request().devices(f.fleet(3, FROM)));

        release(job, 1, 1);

        assertThat(f.updated()).containsExactly("d02");
        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(f.row(job, "d03").status()).isEqualTo(ExecutionStatus.QUEUED);
    }

    @Test
    void aDeviceAnotherJobHoldsIsSkippedForThatJobNotFailed() {
        f.fleet(3, FROM);
        String holder = f.create(request().devices("d02"));
        String job = f.create(request().devices("d01", "d02", "d03"));
        release(holder, 0, 0);

        Releaser.Result result = release(job, 0, 2);

        assertThat(result)
                .isEqualTo(new Releaser.Result(
                        List.of("d01", "d03"),
                        Map.of("d02", new Skip(Reason.HELD_BY_ANOTHER_JOB, holder, "held by job " + holder)),
                        0,
                        false));
        RowView skipped = f.row(job, "d02");
        assertThat(skipped.status()).isEqualTo(ExecutionStatus.SKIPPED);
        assertThat(skipped.heldBy()).isEqualTo(holder);
        assertThat(skipped.resultMsg()).isEqualTo("held by job " + holder);
        assertThat(f.execution("d02").jobId()).isEqualTo(holder);
        assertThat(f.counts(job).get(ExecutionStatus.SKIPPED)).isEqualTo(1);
        assertThat(f.counts(job).stage(0).skipped()).isEqualTo(1);
        assertThat(f.counts(job).get(ExecutionStatus.FAILED)).isZero();
        assertThat(f.state("d02").waitingJobs())
                .as("a static job does not wait")
                .isEmpty();
    }

    @Test
    void aDynamicJobNotesItselfOnTheDeviceItSkipped() {
        f.fleet(1, FROM);
        String holder = f.create(request().devices("d01"));
        String job = f.create(request().devices("d01").dynamic());
        release(holder, 0, 0);

        release(job, 0, 0);

        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.SKIPPED);
        assertThat(f.state("d01").waitingJobs()).containsExactly(job);
    }

    @Test
    void aDeviceAlreadyOnTheTargetIsSkipped() {
        f.device("d01", TARGET);
        String job = f.create(request().devices("d01"));

        release(job, 0, 0);

        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.SKIPPED);
        assertThat(f.row(job, "d01").resultMsg()).isEqualTo("already runs " + TARGET);
        assertThat(f.row(job, "d01").heldBy()).isNull();
        assertThat(f.updated()).isEmpty();
    }

    @Test
    void aListNarrowedBySourceVersionsSkipsDevicesOnOtherVersions() {
        f.device("d01", FROM);
        f.device("d02", "0.9.0");
        String job = f.create(request().devices("d01", "d02", "d03").onlyFrom(FROM));

        Releaser.Result result = release(job, 0, 2);

        assertThat(result.released()).containsExactly("d01");
        assertThat(result.skipped()).containsOnlyKeys("d02", "d03");
        assertThat(result.skipped().values())
                .extracting(Skip::reason, Skip::detail)
                .containsExactly(
                        tuple(Reason.NOT_ON_A_SOURCE_VERSION, "0.9.0"), tuple(Reason.NOT_ON_A_SOURCE_VERSION, null));
        assertThat(f.updated()).containsExactly("d01");
        assertThat(f.row(job, "d02").resultMsg()).isEqualTo("runs 0.9.0, not one of the source versions [1.0.0]");
        assertThat(f.row(job, "d03").resultMsg())
                .isEqualTo("has reported no version, not one of the source versions [1.0.0]");
    }

    @Test
    void nothingIsReleasedUnlessTheJobIsInProgress() {
        String job = f.create(request().devices(f.fleet(2, FROM)));
        f.service.pause(job);

        Releaser.Result result = release(job, 0, 1);

        assertThat(result.stopped()).isTrue();
        assertThat(f.updated()).isEmpty();
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(2);
    }

    @Test
    void aCancelInTheMiddleOfAChunkStopsItAtTheNextDevice() {
        String job = f.create(request().devices(f.fleet(3, FROM)));
        f.channel.afterNextSend(() -> f.service.cancel(job));

        Releaser.Result result = release(job, 0, 2);

        assertThat(result).isEqualTo(new Releaser.Result(List.of("d01"), Map.of(), 0, true));
        assertThat(f.updated()).containsExactly("d01");
        assertThat(f.row(job, "d02").status()).isEqualTo(ExecutionStatus.QUEUED);
    }

    @Test
    void aRedeliveredReleaseSendsNothingTwice() {
        String job = f.create(request().devices(f.fleet(3, FROM)));
        release(job, 0, 2);

        Releaser.Result again = release(job, 0, 2);

        assertThat(again).isEqualTo(new Releaser.Result(List.of(), Map.of(), 0, false));
        assertThat(f.updated()).containsExactly("d01", "d02", "d03");
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED)).isEqualTo(3);
    }

    @Test
    void aDeviceTakenBetweenTheBulkReadAndItsTransactionIsSkipped() {
        f.fleet(3, FROM);
        String other = f.create(request().devices("d02"));
        String job = f.create(request().devices("d01", "d02", "d03"));
        // While this chunk sends to d01, another job's RELEASE takes d02.
        f.channel.afterNextSend(() -> release(other, 0, 0));

        Releaser.Result result = release(job, 0, 2);

        assertThat(result.released()).containsExactly("d01", "d03");
        assertThat(result.skipped()).containsOnlyKeys("d02");
        assertThat(f.row(job, "d02").heldBy()).isEqualTo(other);
        assertThat(f.execution("d02").jobId()).isEqualTo(other);
        assertThat(f.updated()).containsExactly("d01", "d02", "d03");
    }
}
