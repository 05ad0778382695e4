package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.T0;
import static dev.ota.app.jobs.EngineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.WorkMessage;
import dev.ota.port.out.RolloutStore.RowView;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** SWEEP: cancels what is queued (the window ended) or queued and live (canceled, aborted), in pages, sending nothing. */
class SweeperTest {

    private final EngineFixture f = new EngineFixture();

    private static Sweeper.Result sweep(EngineFixture fixture, String jobId, String scope) {
        return new Sweeper(
                        fixture.jobs,
                        fixture.rollout,
                        fixture.devices,
                        fixture.clock,
                        fixture.tuning,
                        fixture.log.log())
                .run(jobId, scope);
    }

    @Test
    void theQueuedScopeCancelsQueuedExecutionsOnly() {
        Instant end = T0.plus(Duration.ofMinutes(5));
        String job = f.create(request().devices(f.fleet(4, FROM)).rate(2).window(null, end));
        f.planAndRun(job);

        assertThat(sweep(f, job, Sweeper.QUEUED)).isEqualTo(new Sweeper.Result(2, false));

        assertThat(f.rollout.rowsOf(job))
                .extracting(RowView::status)
                .containsExactly(
                        ExecutionStatus.DELIVERED,
                        ExecutionStatus.DELIVERED,
                        ExecutionStatus.CANCELED,
                        ExecutionStatus.CANCELED);
        assertThat(f.row(job, "d03").resultMsg()).isEqualTo("job ended at " + end);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isZero();
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED)).isEqualTo(2);
    }

    @Test
    void theAllScopeCancelsQueuedAndLiveExecutionsAndFreesTheirDevices() {
        String job = f.create(request().devices(f.fleet(5, FROM)).rate(3).retry(3, Duration.ofHours(1)));
        f.planAndRun(job);
        f.downloading("d02", 50);
        f.fail(-1, "d03");
        f.service.cancel(job);

        assertThat(sweep(f, job, Sweeper.ALL)).isEqualTo(new Sweeper.Result(5, false));

        assertThat(f.rollout.rowsOf(job)).extracting(RowView::status).containsOnly(ExecutionStatus.CANCELED);
        assertThat(f.row(job, "d02").resultMsg()).isEqualTo("job canceled");
        for (String name : new String[] {"d01", "d02", "d03"}) {
            assertThat(f.state(name).liveExecution()).as(name).isEmpty();
        }
        JobCounts counts = f.counts(job);
        assertThat(counts.get(ExecutionStatus.CANCELED)).isEqualTo(5);
        assertThat(counts.live() + counts.get(ExecutionStatus.QUEUED)).isZero();
        assertThat(counts.stage(0).canceled())
                .as("the released ones, in their group; the queued ones in none")
                .isEqualTo(3);
        assertThat(counts.stage(0).live()).isZero();
        assertThat(f.updated()).as("the protocol has no cancel message").containsExactly("d01", "d02", "d03");
    }

    @Test
    void oneRunPagesThroughEverything() {
        EngineFixture small =
                new EngineFixture(EngineFixture.tuning(1000, 200, 2, Duration.ofHours(1), Duration.ofHours(1)));
        String job = small.create(request().devices(small.fleet(7, FROM)).rate(3));
        small.planAndRun(job);
        small.service.cancel(job);

        assertThat(sweep(small, job, Sweeper.ALL)).isEqualTo(new Sweeper.Result(7, false));

        assertThat(small.counts(job).get(ExecutionStatus.CANCELED)).isEqualTo(7);
    }

    @Test
    void finishedExecutionsKeepTheirResult() {
        String job = f.create(request().devices(f.fleet(3, FROM)));
        f.planAndRun(job);
        f.succeed("d01");
        f.fail(-2, "d02");
        f.service.cancel(job);

        assertThat(sweep(f, job, Sweeper.ALL)).isEqualTo(new Sweeper.Result(1, false));

        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(f.row(job, "d02").status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(f.row(job, "d03").status()).isEqualTo(ExecutionStatus.CANCELED);
    }

    @Test
    void aSweepIsFollowedByAPlanThatRetiresTheJobAndARedeliveredSweepChangesNothing() {
        String job = f.create(request().devices(f.fleet(3, FROM)).rate(2));
        f.planAndRun(job);
        f.service.cancel(job);

        f.engine.handle(WorkMessage.sweep(job, Sweeper.ALL));
        assertThat(f.queue.drain()).containsExactly(WorkMessage.plan(job));
        f.plan(job);
        assertThat(f.job(job).swept()).isTrue();
        assertThat(f.jobs.isLive(job)).isFalse();

        f.engine.handle(WorkMessage.sweep(job, Sweeper.ALL));
        assertThat(f.counts(job).get(ExecutionStatus.CANCELED)).isEqualTo(3);
        assertThat(f.queue.drain()).containsExactly(WorkMessage.plan(job));
    }
}
