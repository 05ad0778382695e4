package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.WorkMessage;
import dev.ota.port.in.JobOperations.JobStatistics;
import dev.ota.port.out.RolloutStore.DueKind;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** DUE: attempts past their in-progress timeout become pending retries or TIMED_OUT; pending retries start at their interval. */
class DueWorkerTest {

    private final EngineFixture f = new EngineFixture();

    private DueWorker.Result due(EngineFixture fixture, String jobId, DueKind kind) {
        return new DueWorker(
                        fixture.jobs,
                        fixture.rollout,
                        fixture.devices,
                        fixture.sender,
                        fixture.clock,
                        fixture.tuning,
                        fixture.log.log())
                .run(jobId, kind);
    }

    @Test
    void anAttemptPastItsTimeoutWaitsForItsRetryWhileAttemptsRemain() {
        String job = f.create(request()
                .devices(f.fleet(1, FROM))
                .timeout(Duration.ofMinutes(5))
                .retry(3, Duration.ofMinutes(1)));
        f.planAndRun(job);

        f.clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(due(f, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(0, 0, 0, false));
        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.DELIVERED);

        Instant at = f.clock.advance(Duration.ofSeconds(1));
        assertThat(due(f, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(1, 0, 0, false));

        Execution e = f.execution("d01");
        assertThat(e.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(e.resultMsg()).startsWith("in-progress timeout");
        assertThat(e.retryNotBefore()).isEqualTo(at.plus(Duration.ofMinutes(1)));
        assertThat(f.rollout.dueAt(job, "d01"))
                .as("the device's own version report first")
                .isEqualTo(at.plus(Duration.ofMinutes(1)).plus(RetryPolicy.DEVICE_FIRST));
        assertThat(f.counts(job).get(ExecutionStatus.RETRY_PENDING)).isEqualTo(1);
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED)).isZero();
        assertThat(f.updated()).as("a timeout sends nothing").containsExactly("d01");
    }

    @Test
    void aPendingRetryStartsTheNextAttemptOnceItsIntervalPassed() {
        String job = f.create(request().devices(f.fleet(1, FROM)).retry(3, Duration.ofMinutes(5)));
        f.planAndRun(job);
        f.fail(-1, "d01");

        f.clock.advance(Duration.ofMinutes(4));
        assertThat(due(f, job, DueKind.RETRY)).isEqualTo(new DueWorker.Result(0, 0, 0, false));
        assertThat(f.updated()).hasSize(1);

        f.clock.advance(Duration.ofMinutes(1));
        assertThat(due(f, job, DueKind.RETRY))
                .as("left to the device's version report a while")
                .isEqualTo(new DueWorker.Result(0, 0, 0, false));
        f.clock.advance(RetryPolicy.DEVICE_FIRST);
        assertThat(due(f, job, DueKind.RETRY)).isEqualTo(new DueWorker.Result(0, 1, 0, false));

        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(f.execution("d01").attempt()).isEqualTo(2);
        assertThat(f.updated()).containsExactly("d01", "d01");
        assertThat(f.counts(job).retries()).isEqualTo(1);
        assertThat(f.rollout.dueAt(job, "d01"))
                .as("the new attempt falls due when quiet, before the default timeout")
                .isEqualTo(f.clock.instant().plus(Execution.QUIET_AFTER));
    }

    @Test
    void theLastAttemptTimesOutForGoodAndTheJobCompletes() {
        String job = f.create(request()
                .devices(f.fleet(1, FROM))
                .timeout(Duration.ofMinutes(1))
                .retry(2, Duration.ZERO));
        f.planAndRun(job);

        f.clock.advance(Duration.ofMinutes(1));
        f.planAndRun(job);
        f.clock.advance(RetryPolicy.DEVICE_FIRST);
        f.planAndRun(job);
        assertThat(f.execution("d01").attempt()).isEqualTo(2);
        assertThat(f.updated()).containsExactly("d01", "d01");

        f.clock.advance(Duration.ofMinutes(1));
        f.planAndRun(job);
        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.TIMED_OUT);
        assertThat(f.state("d01").liveExecution()).isEmpty();
        JobStatistics stats = f.service.statistics(job);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.retries()).isEqualTo(1);

        f.planAndRun(job);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.COMPLETED);
        assertThat(f.updated()).hasSize(2);
    }

    @Test
    void planQueuesDueWorkOnlyForWhatIsDue() {
        String job = f.create(request()
                .devices(f.fleet(2, FROM))
                .timeout(Duration.ofMinutes(1))
                .retry(3, Duration.ofMinutes(10)));
        f.planAndRun(job);
        f.fail(-1, "d02");

        f.planAndRun(job);
        assertThat(f.queue.sent(WorkMessage.Kind.DUE)).isEmpty();

        f.clock.advance(Duration.ofMinutes(1));
        f.planAndRun(job);
        assertThat(f.queue.sent(WorkMessage.Kind.DUE)).containsExactly(WorkMessage.due(job, "TIMEOUT"));

        f.clock.advance(Duration.ofMinutes(9).plus(RetryPolicy.DEVICE_FIRST));
        f.planAndRun(job);
        assertThat(f.queue.sent(WorkMessage.Kind.DUE))
                .containsExactly(WorkMessage.due(job, "TIMEOUT"), WorkMessage.due(job, "RETRY"));
        assertThat(f.execution("d02").attempt()).isEqualTo(2);
    }

    @Test
    void aPausedJobStartsNoRetryButItsTimeoutsStillFire() {
        String job = f.create(request()
                .devices(f.fleet(2, FROM))
                .timeout(Duration.ofMinutes(1))
                .retry(3, Duration.ZERO));
        f.planAndRun(job);
        f.fail(-1, "d01");
        f.service.pause(job);
        f.clock.advance(Duration.ofMinutes(1));

        assertThat(due(f, job, DueKind.RETRY)).isEqualTo(new DueWorker.Result(0, 0, 0, false));
        assertThat(due(f, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(1, 0, 0, false));

        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(f.execution("d02").status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(f.updated()).containsExactly("d01", "d02");
    }

    @Test
    void oneRunPagesThroughEverythingThatIsDue() {
        EngineFixture small =
                new EngineFixture(EngineFixture.tuning(1000, 200, 2, Duration.ofHours(1), Duration.ofHours(1)));
        String job = small.create(request().devices(small.fleet(5, FROM)).timeout(Duration.ofMinutes(1)));
        small.planAndRun(job);
        small.clock.advance(Duration.ofMinutes(2));

        assertThat(due(small, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(5, 0, 0, false));

        assertThat(small.counts(job).get(ExecutionStatus.RETRY_PENDING)).isEqualTo(5);
    }

    @Test
    void aDeviceWhoseItemMovedOnIsDecidedFromTheItemNotFromTheIndex() {
        String job = f.create(request().devices(f.fleet(1, FROM)).timeout(Duration.ofMinutes(1)));
        f.planAndRun(job);
        Execution delivered = f.execution("d01");
        // The device item already shows the update succeeded; the row (the due index) has not caught up.
        f.devices.overwriteExecution(
                EngineFixture.id("d01"), delivered.withStatus(ExecutionStatus.SUCCEEDED, 100, f.clock.instant()));
        f.clock.advance(Duration.ofMinutes(2));

        assertThat(due(f, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(0, 0, 0, false));

        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void aQuietDeliveredAttemptGetsTheUpdateAgainCappedAndThenTimesOut() {
        String job = f.create(request().devices(f.fleet(1, FROM)).retry(1, Duration.ZERO));
        f.planAndRun(job);
        assertThat(f.updated()).containsExactly("d01");

        for (int n = 1; n <= Execution.MAX_QUIET_RESENDS; n++) {
            f.clock.advance(Execution.QUIET_AFTER);
            assertThat(due(f, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(0, 0, 1, false));
            assertThat(f.updated()).hasSize(1 + n);
            assertThat(f.execution("d01").attempt()).isEqualTo(1);
            assertThat(f.execution("d01").resends()).isEqualTo(n);
        }
        f.clock.advance(Execution.QUIET_AFTER);
        assertThat(due(f, job, DueKind.TIMEOUT)).as("capped").isEqualTo(new DueWorker.Result(0, 0, 0, false));
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED))
                .as("counts do not move")
                .isEqualTo(1);

        f.clock.advance(JobDefinition.DEFAULT_TIMEOUT);
        assertThat(due(f, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(1, 0, 0, false));
        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.TIMED_OUT);
        f.planAndRun(job);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void aDownloadThatStillReportsIsNotQuietAndItsRowIsRearmed() {
        String job = f.create(request().devices(f.fleet(1, FROM)));
        f.planAndRun(job);
        f.downloading("d01", 10);
        f.clock.advance(Execution.QUIET_AFTER.minusSeconds(10));
        f.downloading("d01", 50);
        f.clock.advance(Duration.ofSeconds(10));

        assertThat(due(f, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(0, 0, 0, false));
        assertThat(f.updated()).hasSize(1);
        assertThat(f.rollout.dueAt(job, "d01"))
                .as("due again when quiet since the last percent")
                .isEqualTo(f.execution("d01").updatedAt().plus(Execution.QUIET_AFTER));

        f.clock.advance(Execution.QUIET_AFTER);
        assertThat(due(f, job, DueKind.TIMEOUT)).isEqualTo(new DueWorker.Result(0, 0, 1, false));
        assertThat(f.execution("d01").status()).as("same attempt, same status").isEqualTo(ExecutionStatus.DOWNLOADING);
    }

    @Test
    void noQuietResendOnceTheJobIsCanceled() {
        String job = f.create(request().devices(f.fleet(1, FROM)));
        f.planAndRun(job);
        f.service.cancel(job);
        f.clock.advance(Execution.QUIET_AFTER);

        due(f, job, DueKind.TIMEOUT);

        assertThat(f.updated()).containsExactly("d01");
    }
}
