package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.port.in.JobOperations.JobView;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A staged rollout: a canary of 2, then a group of 3, then the rest. Each group must fully succeed
 * before the next starts; a group where half the finished devices failed pauses the job.
 */
class StagedRolloutIT {

    @Test
    void advancesOnSuccessAndPausesOnFailuresPastTheThreshold() throws Exception {
        try (JobFixture f = new JobFixture("STAGED")) {
            f.firmware("3.0.0");
            List<String> devices = JobFixture.names("s", 10);
            String jobId = f.create(f.job("3.0.0")
                    .devices(devices)
                    .stages(
                            new Stage(2, null, 100, 50, 1, FailureAction.PAUSE),
                            new Stage(3, null, 100, 50, 2, FailureAction.PAUSE),
                            new Stage(null, null, 100, 0, 0, null)));
            JobView created = f.jobs.describe(jobId);
            assertThat(created.stageCount()).isEqualTo(3);

            f.tick();
            assertThat(f.updatedDevices()).as("the canary only").containsExactly("s-000", "s-001");
            f.tick();
            assertThat(f.updatedDevices())
                    .as("nothing more while the canary runs")
                    .hasSize(2);

            f.succeed("s-000", "3.0.0");
            f.tick();
            assertThat(f.updatedDevices()).as("one canary device still running").hasSize(2);
            f.succeed("s-001", "3.0.0");
            f.tick();
            assertThat(f.jobs.describe(jobId).currentStage()).isEqualTo(1);
            assertThat(f.updatedDevices())
                    .as("canary succeeded: the second group starts")
                    .containsExactly("s-000", "s-001", "s-002", "s-003", "s-004");

            f.fail("s-002", "3.0.0", -2);
            f.tick();
            assertThat(f.jobs.describe(jobId).state())
                    .as("1 finished is below minDevicesForFailure 2")
                    .isEqualTo(JobStatus.IN_PROGRESS);
            f.fail("s-003", "3.0.0", -2);
            f.tick();
            JobView paused = f.jobs.describe(jobId);
            assertThat(paused.state()).isEqualTo(JobStatus.PAUSED);
            assertThat(paused.stateReason()).contains("stage 2 of 3").contains("2 of 2 finished devices failed");

            f.tick();
            assertThat(f.updatedDevices()).as("a paused job releases nothing").hasSize(5);
            assertThat(f.count(jobId, ExecutionStatus.QUEUED)).isEqualTo(5);

            // The operator looks, resumes: the group's thresholds give way, and once its last device is done the rest
            // goes.
            assertThat(f.jobs.resume(jobId).state()).isEqualTo(JobStatus.IN_PROGRESS);
            f.tick();
            assertThat(f.updatedDevices()).as("s-004 still in flight").hasSize(5);
            f.succeed("s-004", "3.0.0");
            f.tick();
            JobView last = f.jobs.describe(jobId);
            assertThat(last.currentStage()).isEqualTo(2);
            assertThat(f.updatedDevices()).hasSize(10).doesNotHaveDuplicates();
            assertThat(f.counts(jobId))
                    .containsEntry(ExecutionStatus.SUCCEEDED, 3L)
                    .containsEntry(ExecutionStatus.FAILED, 2L)
                    .containsEntry(ExecutionStatus.DELIVERED, 5L)
                    .containsEntry(ExecutionStatus.QUEUED, 0L);
            // This job's work only: the shared stack also carries other tests' dead letters.
            assertThat(f.stack.queues().deadLetters())
                    .filteredOn(letter -> letter.body().contains(jobId))
                    .isEmpty();
        }
    }

    /**
     * docs/jobs.md: queued executions belong to no group, so an operator's cancel of a queued device
     * takes no place in the current group (it did, in group 0, once); retried later, the device joins
     * the group current then, as its first attempt.
     */
    @Test
    void aQueuedDeviceCanceledByAnOperatorTakesNoPlaceInAGroup() throws Exception {
        try (JobFixture f = new JobFixture("QCANCEL")) {
            f.firmware("3.2.0");
            String jobId = f.create(f.job("3.2.0")
                    .devices(JobFixture.names("q", 5))
                    .stages(
                            new Stage(2, null, 100, 0, 0, FailureAction.PAUSE),
                            new Stage(null, null, 100, 0, 0, null)));

            assertThat(f.jobs.cancelDevice(jobId, "q-004").status()).isEqualTo(ExecutionStatus.CANCELED);
            assertThat(OtaTables.counters(f.stack, jobId))
                    .as("no group counts it")
                    .containsOnlyKeys("count_QUEUED", "count_CANCELED");
            assertThat(OtaTables.execution(f.stack, jobId, "q-004")).doesNotContainKey("stage");
            f.tick();
            assertThat(f.updatedDevices()).as("the whole canary").containsExactly("q-000", "q-001");

            f.succeed("q-000", "3.2.0");
            f.succeed("q-001", "3.2.0");
            f.tick();
            assertThat(f.updatedDevices()).containsExactly("q-000", "q-001", "q-002", "q-003");

            f.jobs.retryDevice(jobId, "q-004");
            assertThat(f.updatedDevices()).hasSize(5).endsWith("q-004");
            assertThat(OtaTables.n(OtaTables.execution(f.stack, jobId, "q-004"), "stage"))
                    .as("the group current now")
                    .isEqualTo(1);
            assertThat(OtaTables.counters(f.stack, jobId))
                    .as("a first attempt, in group 2 of 2; no retry")
                    .isEqualTo(java.util.Map.of(
                            "count_SUCCEEDED", 2L, "count_DELIVERED", 3L, "s0_SUCCEEDED", 2L, "s1_DELIVERED", 3L));

            // Leave the shared stack's scheduler as found: every live job costs each later tick a plan.
            f.jobs.cancel(jobId);
            f.tick();
            assertThat(f.count(jobId, ExecutionStatus.CANCELED)).isEqualTo(3);
        }
    }

    @Test
    void abortsWhenTheCanaryFailsAndTheGroupSaysAbort() throws Exception {
        try (JobFixture f = new JobFixture("ABORT")) {
            f.firmware("3.1.0");
            String jobId = f.create(f.job("3.1.0")
                    .devices(JobFixture.names("a", 6))
                    .stages(
                            new Stage(null, 34, 100, 50, 1, FailureAction.ABORT),
                            new Stage(null, null, 100, 0, 0, null)));
            f.tick();
            assertThat(f.updatedDevices()).as("34% of 6 rounds up to 3").hasSize(3);
            f.fail("a-000", "3.1.0", -2);
            f.tick();
            JobView aborted = f.jobs.describe(jobId);
            assertThat(aborted.state()).isEqualTo(JobStatus.ABORTED);
            f.tick();
            assertThat(f.updatedDevices()).hasSize(3);
            assertThat(f.counts(jobId))
                    .containsEntry(ExecutionStatus.FAILED, 1L)
                    .containsEntry(ExecutionStatus.CANCELED, 5L)
                    .containsEntry(ExecutionStatus.QUEUED, 0L)
                    .containsEntry(ExecutionStatus.DELIVERED, 0L);
        }
    }
}
