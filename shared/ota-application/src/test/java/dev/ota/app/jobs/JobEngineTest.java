package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.T0;
import static dev.ota.app.jobs.EngineFixture.group;
import static dev.ota.app.jobs.EngineFixture.request;
import static dev.ota.app.jobs.EngineFixture.rest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.WorkMessage;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.port.out.RolloutStore.QueuedDevice;
import dev.ota.port.out.RolloutStore.ReleaseResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler's tick and PLAN: the rate, the schedule, stage thresholds, pause, cancel and abort, completion. */
class JobEngineTest {

    private final EngineFixture f = new EngineFixture();

    @Test
    void tickQueuesOnePlanPerLiveJob() {
        f.fleet(2, FROM);
        f.completedJob("d01");
        String running = f.create(request().devices("d02"));
        f.queue.clear();

        assertThat(f.engine.tick()).isEqualTo(1);

        assertThat(f.queue.sent()).containsExactly(WorkMessage.plan(running));
    }

    @Test
    void firstPlanReleasesOneMinutesWorthInQueueOrder() {
        List<String> fleet = f.fleet(10, FROM);
        String job = f.create(request().devices(fleet).rate(3));

        f.planAndRun(job);

        assertThat(f.updated()).containsExactly("d01", "d02", "d03");
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED)).isEqualTo(3);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(7);
        Execution e = f.execution("d01");
        assertThat(e.jobId()).isEqualTo(job);
        assertThat(e.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(e.attempt()).isEqualTo(1);
    }

    @Test
    void theBucketRefillsAtTheRateAndSavesUpNoBurst() {
        String job = f.create(request().devices(f.fleet(30, FROM)).rate(6));
        f.planAndRun(job);
        assertThat(f.updated()).hasSize(6);

        f.planAndRun(job);
        assertThat(f.updated()).as("a repeated PLAN at the same instant").hasSize(6);

        f.clock.advance(Duration.ofSeconds(20));
        f.planAndRun(job);
        assertThat(f.updated()).as("20 s at 6 a minute").hasSize(8);

        f.clock.advance(Duration.ofHours(1));
        f.planAndRun(job);
        assertThat(f.updated())
                .as("an hour idle still allows one minute's worth")
                .hasSize(14);
    }

    @Test
    void planQueuesReleaseMessagesInChunksOfQueuePositions() {
        EngineFixture small =
                new EngineFixture(EngineFixture.tuning(1000, 2, 100, Duration.ofHours(1), Duration.ofHours(1)));
        String job = small.create(request().devices(small.fleet(5, FROM)));
        small.queue.clear();

        small.plan(job);

        assertThat(small.queue.pending())
                .containsExactly(
                        WorkMessage.release(job, 0, 0, 1),
                        WorkMessage.release(job, 0, 2, 3),
                        WorkMessage.release(job, 0, 4, 4));
        assertThat(small.updated()).as("PLAN itself sends nothing to devices").isEmpty();
    }

    @Test
    void twoOverlappingPlansSpendTheBucketOnce() {
        String job = f.create(request().devices(f.fleet(10, FROM)).rate(4));
        // A second PLAN runs between the first one's read and its conditional write.
        f.jobs.beforeNextUpdate(jobs -> f.plan(job));

        f.plan(job);
        f.runQueue();

        assertThat(f.updated()).hasSize(4);
        assertThat(f.queue.sent(WorkMessage.Kind.RELEASE)).hasSize(1);
    }

    @Test
    void aScheduledJobWaitsForItsStart() {
        String job = f.create(request().devices(f.fleet(2, FROM)).window(T0.plus(Duration.ofMinutes(10)), null));
        assertThat(f.job(job).state()).isEqualTo(JobStatus.SCHEDULED);

        f.clock.advance(Duration.ofMinutes(9));
        f.planAndRun(job);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.SCHEDULED);
        assertThat(f.updated()).isEmpty();

        f.clock.advance(Duration.ofMinutes(1));
        f.planAndRun(job);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(f.updated()).containsExactly("d01", "d02");
    }

    @Test
    void atItsEndAJobCancelsWhatIsQueuedAndLetsUpdatesInFlightFinish() {
        String job = f.create(request().devices(f.fleet(4, FROM)).rate(2).window(null, T0.plus(Duration.ofMinutes(4))));
        f.planAndRun(job);

        f.clock.advance(Duration.ofMinutes(4)); // before the devices in flight count as quiet
        f.planAndRun(job);

        assertThat(f.job(job).windowEnded()).isTrue();
        assertThat(f.row(job, "d03").status()).isEqualTo(ExecutionStatus.CANCELED);
        assertThat(f.row(job, "d04").resultMsg()).startsWith("job ended at");
        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(f.updated()).containsExactly("d01", "d02");
        assertThat(f.jobs.isTakingLateDevices(job)).isFalse();
        assertThat(f.job(job).state()).isEqualTo(JobStatus.IN_PROGRESS);

        f.succeed("d01", "d02");
        f.planAndRun(job);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.COMPLETED);
        assertThat(f.jobs.isLive(job)).isFalse();
    }

    /** Regression: the window-end write set the state it had read, undoing a cancel that came in between. */
    @Test
    void theEndOfTheWindowDoesNotUndoAConcurrentCancel() {
        String job = f.create(request().devices(f.fleet(4, FROM)).rate(2).window(null, T0.plus(Duration.ofMinutes(5))));
        f.planAndRun(job);
        f.clock.advance(Duration.ofMinutes(5));
        f.jobs.beforeNextUpdate(jobs -> f.service.cancel(job));

        f.plan(job);

        assertThat(f.job(job).state()).isEqualTo(JobStatus.CANCELED);
        f.runQueue();
        f.planAndRun(job);
        assertThat(f.counts(job).get(ExecutionStatus.CANCELED)).isEqualTo(4);
        assertThat(f.state("d01").liveExecution()).isEmpty();
    }

    @Test
    void aPausedJobReleasesNothingAndRetriesNothingButTimeoutsStillFire() {
        String job = f.create(request()
                .devices(f.fleet(4, FROM))
                .rate(2)
                .timeout(Duration.ofMinutes(1))
                .retry(3, Duration.ZERO));
        f.planAndRun(job);
        f.service.pause(job);

        f.clock.advance(Duration.ofMinutes(2));
        f.planAndRun(job);

        assertThat(f.updated()).containsExactly("d01", "d02");
        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(f.row(job, "d03").status()).isEqualTo(ExecutionStatus.QUEUED);

        f.service.resume(job);
        f.clock.advance(RetryPolicy.DEVICE_FIRST);
        f.planAndRun(job);

        assertThat(f.updated()).containsExactlyInAnyOrder("d01", "d02", "d01", "d02", "d03", "d04");
        assertThat(f.execution("d01").attempt()).isEqualTo(2);
    }

    @Test
    void aCanceledJobIsSweptAndLeavesTheScheduler() {
        String job = f.create(request().devices(f.fleet(4, FROM)).rate(2));
        f.planAndRun(job);
        f.downloading("d02", 30);
        f.service.cancel(job);

        List<WorkMessage> handled = f.planAndRun(job);

        assertThat(handled).contains(WorkMessage.sweep(job, Sweeper.ALL));
        assertThat(f.counts(job).get(ExecutionStatus.CANCELED)).isEqualTo(4);
        assertThat(f.counts(job).live() + f.counts(job).get(ExecutionStatus.QUEUED))
                .isZero();
        assertThat(f.state("d01").liveExecution()).isEmpty();
        assertThat(f.state("d02").liveExecution()).isEmpty();
        assertThat(f.updated()).containsExactly("d01", "d02");
        assertThat(f.job(job).swept()).isTrue();
        f.queue.clear();
        assertThat(f.engine.tick()).isZero();
    }

    @Test
    void aStaticJobCompletesOnceEveryDeviceFinished() {
        String job = f.create(request().devices(f.fleet(2, FROM)));
        f.planAndRun(job);
        f.succeed("d01");

        f.planAndRun(job);
        assertThat(f.job(job).state()).as("d02 is still in flight").isEqualTo(JobStatus.IN_PROGRESS);

        f.fail(-2, "d02");
        f.planAndRun(job);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.COMPLETED);
        assertThat(f.job(job).stateReason()).isEqualTo("every device finished");
        assertThat(f.jobs.isLive(job)).isFalse();
    }

    @Test
    void theFirstGroupReleasesOnlyItsSizeAndTheNextStartsInThePlanThatSeesItSucceed() {
        String job =
                f.create(request().devices(f.fleet(6, FROM)).stages(group(2, 100, 0, 0, FailureAction.PAUSE), rest()));

        f.planAndRun(job);
        assertThat(f.updated()).containsExactly("d01", "d02");

        f.succeed("d01");
        f.planAndRun(job);
        assertThat(f.updated()).as("1 of 2 succeeded, below 100%").hasSize(2);
        assertThat(f.job(job).currentStage()).isZero();

        f.succeed("d02");
        f.planAndRun(job);
        assertThat(f.job(job).currentStage()).isEqualTo(1);
        assertThat(f.updated()).containsExactly("d01", "d02", "d03", "d04", "d05", "d06");
        assertThat(f.execution("d03").stage()).isEqualTo(1);
        assertThat(f.counts(job).stage(1).entered()).isEqualTo(4);
    }

    /**
     * Regression. docs/jobs.md: "QUEUED rows belong to no group until released, so queued cancellations
     * are in no group's counts". DynamoDbRolloutStore.cancelQueued moved the counters QUEUED → CANCELED
     * in group 0, and StageCounts.entered() counted it: a queued device canceled by an operator took a
     * place in the first group, which then released one device fewer.
     */
    @Test
    void anOperatorsCancelOfAQueuedDeviceDoesNotShrinkTheCurrentGroup() {
        String job =
                f.create(request().devices(f.fleet(5, FROM)).stages(group(2, 100, 0, 0, FailureAction.PAUSE), rest()));
        f.service.cancelDevice(job, "d05");

        f.planAndRun(job);

        assertThat(f.updated()).containsExactly("d01", "d02");
        assertThat(f.counts(job).stage(0).entered()).isEqualTo(2);
        assertThat(f.counts(job).stage(0).canceled()).isZero();
    }

    @Test
    void aGroupAtItsFailureThresholdPausesTheJob() {
        String job =
                f.create(request().devices(f.fleet(8, FROM)).stages(group(4, 100, 50, 2, FailureAction.PAUSE), rest()));
        f.planAndRun(job);

        f.fail(-2, "d01");
        f.planAndRun(job);
        assertThat(f.job(job).state())
                .as("1 finished, below minDevicesForFailure")
                .isEqualTo(JobStatus.IN_PROGRESS);

        f.fail(-2, "d02");
        f.planAndRun(job);
        JobRecord paused = f.job(job);
        assertThat(paused.state()).isEqualTo(JobStatus.PAUSED);
        assertThat(paused.pausedByRule()).isTrue();
        assertThat(paused.stateReason()).startsWith("stage 1 of 2: 2 of 2 finished devices failed");
        assertThat(f.updated()).hasSize(4);
    }

    /**
     * Eight devices: a group of four (the next starts at 100% succeeded; {@code onFailure} at 50% of
     * at least two finished), then the rest. d01 and d02 fail, and a PLAN judges the group.
     */
    private String firstGroupFailedHalf(FailureAction onFailure) {
        String job = f.create(request().devices(f.fleet(8, FROM)).stages(group(4, 100, 50, 2, onFailure), rest()));
        f.planAndRun(job);
        f.fail(-2, "d01", "d02");
        f.planAndRun(job);
        return job;
    }

    @Test
    void aGroupAtItsFailureThresholdWithAbortAbortsAndSweepsTheJob() {
        String job = firstGroupFailedHalf(FailureAction.ABORT);

        assertThat(f.job(job).state()).isEqualTo(JobStatus.ABORTED);
        assertThat(f.execution("d03").status()).isEqualTo(ExecutionStatus.CANCELED);
        assertThat(f.execution("d03").resultMsg()).isEqualTo("job aborted");
        assertThat(f.row(job, "d08").status()).isEqualTo(ExecutionStatus.CANCELED);
        assertThat(f.counts(job).get(ExecutionStatus.FAILED)).isEqualTo(2);
        assertThat(f.counts(job).get(ExecutionStatus.CANCELED)).isEqualTo(6);
        assertThat(f.job(job).swept()).isTrue();
        assertThat(f.updated()).hasSize(4);
    }

    @Test
    void aGroupThatFinishedBelowItsSuccessThresholdPausesTheJob() {
        String job =
                f.create(request().devices(f.fleet(4, FROM)).stages(group(2, 100, 0, 0, FailureAction.PAUSE), rest()));
        f.planAndRun(job);
        f.succeed("d01");
        f.fail(-2, "d02");

        f.planAndRun(job);

        assertThat(f.job(job).state()).isEqualTo(JobStatus.PAUSED);
        assertThat(f.job(job).stateReason()).contains("below the success threshold of 100%");
        assertThat(f.updated()).hasSize(2);
    }

    @Test
    void afterAnOperatorResumesARulePauseTheGroupsRulesGiveWay() {
        String job = firstGroupFailedHalf(FailureAction.PAUSE);
        assertThat(f.job(job).pausedByRule()).isTrue();

        f.service.resume(job);
        f.planAndRun(job);
        assertThat(f.job(job).state())
                .as("the failure threshold no longer pauses")
                .isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(f.job(job).currentStage())
                .as("d03 and d04 are still in flight")
                .isZero();

        f.succeed("d03", "d04");
        f.planAndRun(job);
        assertThat(f.job(job).currentStage()).isEqualTo(1);
        assertThat(f.updated()).hasSize(8);
    }

    @Test
    void aRampRaisesTheRateAsDevicesSucceed() {
        String job = f.create(request().devices(f.fleet(20, FROM)).ramp(8, 2, 2.0, 2));
        f.planAndRun(job);
        assertThat(f.updated()).hasSize(2);

        f.succeed("d01", "d02");
        f.clock.advance(Duration.ofMinutes(1));
        f.planAndRun(job);

        assertThat(f.updated()).as("2 succeeded: the rate doubled to 4").hasSize(6);
    }

    @Test
    void planRestartsAnExpansionWhoseHeartbeatIsStale() {
        EngineFixture slow = new EngineFixture(EngineFixture.tuning(2, 200, 100, Duration.ZERO, Duration.ZERO));
        slow.lists.put("device-lists/fleet.txt", "a\nb\nc\nd\ne\nf\n");
        String job = slow.create(request().file("device-lists/fleet.txt"));
        slow.queue.clear();

        slow.plan(job);
        assertThat(slow.queue.drain())
                .as("inline expansion left the heartbeat stale")
                .containsExactly(WorkMessage.expand(job));

        slow.engine.handle(WorkMessage.expand(job));
        assertThat(slow.queue.drain()).as("one batch, then its continuation").containsExactly(WorkMessage.expand(job));
        slow.plan(job);
        assertThat(slow.queue.drain())
                .as("a fresh heartbeat: expansion is running")
                .isEmpty();

        slow.clock.advance(Duration.ofMinutes(3).plusSeconds(1));
        slow.plan(job);
        assertThat(slow.queue.drain()).containsExactly(WorkMessage.expand(job));
    }

    @Test
    void aJobWhoseExpansionFinishedButWhoseStateChangeWasLostMovesOn() {
        f.fleet(2, FROM);
        // The function dies between expansion's last checkpoint and the state change that follows it.
        f.jobs.beforeNextUpdate(jobs -> jobs.beforeNextUpdate(again -> {
            throw new IllegalStateException("function timed out");
        }));
        assertThatThrownBy(() -> f.create(request().devices("d01", "d02"))).hasMessage("function timed out");
        String job = f.jobs.liveJobIds().get(0);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.PREPARING);
        assertThat(f.job(job).expanded()).isTrue();

        f.planAndRun(job);

        assertThat(f.job(job).state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(f.updated()).containsExactly("d01", "d02");
    }

    /** A job item the update-devices function wrote before its jobs went through the engine: no definition, every device sent at once. */
    @Test
    void aJobItemOfTheUpdateDevicesFunctionCompletesWhenItsDevicesFinish() {
        f.device("d01", FROM);
        f.jobs.put(new JobRecord(
                "direct-1",
                EngineFixture.PRODUCT,
                f.firmwareRef(),
                null,
                JobStatus.IN_PROGRESS,
                "",
                0,
                0,
                List.of(),
                true,
                null,
                0,
                null,
                0,
                0,
                null,
                null,
                false,
                -1,
                false,
                false,
                T0));
        // What the function left: the device's row and count in the job, and its execution on the device item.
        f.rollout.putQueued(
                "direct-1",
                EngineFixture.PRODUCT,
                f.firmwareRef().version(),
                0,
                List.of(new QueuedDevice("d01", 0, FROM)),
                T0);
        f.jobs.update("direct-1", JobPatch.patch().addExpanded(1, 0, 0));
        Execution sent = Execution.queued("direct-1", f.firmwareRef(), FROM, RetryPolicy.DEFAULT, T0)
                .delivered(T0);
        assertThat(f.rollout.release(EngineFixture.id("d01"), sent)).isEqualTo(ReleaseResult.RELEASED);

        f.planAndRun("direct-1");
        assertThat(f.job("direct-1").state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(f.queue.sent())
                .as("nothing to expand, release or sweep")
                .containsExactly(WorkMessage.plan("direct-1"));

        f.succeed("d01");
        f.planAndRun("direct-1");
        assertThat(f.job("direct-1").state()).isEqualTo(JobStatus.COMPLETED);
        assertThat(f.jobs.isLive("direct-1")).isFalse();
    }
}
