package dev.ota.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.OperatorException;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.RolloutRate;
import dev.ota.domain.rollout.RolloutWindow;
import dev.ota.port.out.RolloutStore.QueuedDevice;
import dev.ota.port.out.RolloutStore.ReleaseResult;
import dev.ota.port.out.RolloutStore.RowView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fakes refuse where the DynamoDB adapters' conditions refuse, and change nothing when they do. */
class InMemoryJobFakesTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final FirmwareRef FW =
            new FirmwareRef("2.0.0", "firmware/p1/2.0.0/fw.bin", 10, "5d41402abc4b2a76b9719d911017c592");
    private static final DeviceId D1 = new DeviceId("p1", "d1");

    private final InMemoryDeviceStateStore devices = new InMemoryDeviceStateStore();
    private final InMemoryJobRepository jobs = new InMemoryJobRepository();
    private final InMemoryRolloutStore rollout = new InMemoryRolloutStore(devices, jobs);

    private String job(String id, boolean dynamic, JobStatus state) {
        JobDefinition d = new JobDefinition(
                "p1",
                "2.0.0",
                TargetType.DEVICE_LIST,
                null,
                List.of("d1"),
                null,
                dynamic,
                RolloutRate.constant(10),
                List.of(),
                new RolloutWindow(null, null),
                null,
                RetryPolicy.DEFAULT,
                "");
        jobs.create(JobRecord.created(id, d, FW, T0));
        jobs.update(id, JobPatch.patch().state(state, "test"));
        return id;
    }

    private void queue(String jobId, String name) {
        rollout.putQueued(jobId, "p1", "2.0.0", 0, List.of(new QueuedDevice(name, 0, "1.0.0")), T0);
        jobs.update(jobId, JobPatch.patch().addExpanded(1, 0, 0));
    }

    private static Execution delivered(String jobId) {
        return Execution.queued(jobId, FW, "1.0.0", RetryPolicy.DEFAULT, T0).delivered(T0);
    }

    /** d1 queued in job "j", IN_PROGRESS, and released: its execution as delivered. */
    private Execution releasedInJobInProgress() {
        job("j", false, JobStatus.IN_PROGRESS);
        queue("j", "d1");
        rollout.release(D1, delivered("j"));
        return devices.execution(D1);
    }

    @Test
    void releaseRefusesInTheOrderOfTheAdaptersCancellationReasonsAndChangesNothing() {
        job("j", false, JobStatus.PAUSED);
        job("other", false, JobStatus.IN_PROGRESS);
        devices.put(new DeviceState(D1, "1.0.0", T0, delivered("other")));

        assertThat(rollout.release(D1, delivered("j"))).isEqualTo(ReleaseResult.JOB_NOT_ACTIVE);
        jobs.update("j", JobPatch.patch().state(JobStatus.IN_PROGRESS, "go"));
        assertThat(rollout.release(D1, delivered("j"))).isEqualTo(ReleaseResult.NOT_QUEUED);
        queue("j", "d1");
        assertThat(rollout.release(D1, delivered("j"))).isEqualTo(ReleaseResult.DEVICE_TAKEN);
        devices.put(new DeviceState(D1, "2.0.0", T0, null));
        assertThat(rollout.release(D1, delivered("j")))
                .as("already on the target")
                .isEqualTo(ReleaseResult.DEVICE_TAKEN);

        assertThat(rollout.row("j", "d1").orElseThrow().status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(jobs.counts("j").get(ExecutionStatus.QUEUED)).isEqualTo(1);
        assertThat(jobs.counts("j").get(ExecutionStatus.DELIVERED)).isZero();

        devices.put(new DeviceState(D1, "1.0.0", T0, null));
        assertThat(rollout.release(D1, delivered("j"))).isEqualTo(ReleaseResult.RELEASED);
        assertThat(jobs.counts("j").get(ExecutionStatus.DELIVERED)).isEqualTo(1);
        assertThat(jobs.counts("j").stage(0).live()).isEqualTo(1);
        assertThat(rollout.release(D1, delivered("j"))).isEqualTo(ReleaseResult.NOT_QUEUED);
    }

    @Test
    void queuedRowMovesNeedTheStatusTheyWereDecidedFrom() {
        job("j", false, JobStatus.IN_PROGRESS);
        queue("j", "d1");
        assertThat(rollout.cancelQueued(D1, "j", "by test", T0)).isTrue();

        assertThat(rollout.cancelQueued(D1, "j", "again", T0)).isFalse();
        assertThat(rollout.skip(D1, "j", 0, "held", "x", false, T0)).isFalse();
        RowView stale = new RowView("j", "d1", ExecutionStatus.QUEUED, 0, 0, "", "1.0.0", "2.0.0", 0, T0, 0, null);
        assertThat(rollout.restart(D1, stale, delivered("j"))).isFalse();
        assertThat(jobs.counts("j").get(ExecutionStatus.CANCELED)).isEqualTo(1);
        assertThat(jobs.counts("j").get(ExecutionStatus.QUEUED)).isZero();
        assertThat(devices.get(D1)).isNull();
    }

    @Test
    void aRowIsInAGroupFromItsReleaseOrSkipOnAndAQueuedCancellationIsInNone() {
        job("j", true, JobStatus.IN_PROGRESS);
        queue("j", "d1");
        assertThat(rollout.row("j", "d1").orElseThrow().stage()).as("queued").isEqualTo(JobCounts.NO_STAGE);

        assertThat(rollout.cancelQueued(D1, "j", "by test", T0)).isTrue();
        RowView canceled = rollout.row("j", "d1").orElseThrow();
        assertThat(canceled.stage()).isEqualTo(JobCounts.NO_STAGE);
        assertThat(jobs.counts("j").byStage()).as("no group's counts moved").isEmpty();

        assertThat(rollout.restart(D1, canceled, delivered("j").planned(1, null)))
                .isTrue();
        assertThat(rollout.row("j", "d1").orElseThrow().stage()).isEqualTo(1);
        assertThat(jobs.counts("j").stage(1).live()).isEqualTo(1);
        assertThat(jobs.counts("j").stage(0).entered()).isZero();
        assertThat(jobs.counts("j").retries()).as("the device's first attempt").isZero();

        DeviceId d2 = new DeviceId("p1", "d2");
        queue("j", "d2");
        rollout.skip(d2, "j", 1, "held by job x", "x", true, T0);
        assertThat(jobs.counts("j").stage(1).skipped()).isEqualTo(1);
        assertThat(rollout.enqueueLate(d2, "j", "p1", "2.0.0", "1.0.0", 9, T0)).isTrue();
        assertThat(rollout.row("j", "d2").orElseThrow().stage())
                .as("queued again: it left its group")
                .isEqualTo(JobCounts.NO_STAGE);
        assertThat(jobs.counts("j").stage(1).skipped()).isZero();
    }

    @Test
    void jobPatchesApplyOnlyWhileTheirConditionsHold() {
        job("j", false, JobStatus.IN_PROGRESS);

        assertThat(jobs.update("j", JobPatch.patch().ifStateIn(JobStatus.PAUSED).state(JobStatus.CANCELED, "x")))
                .isFalse();
        assertThat(jobs.update("j", JobPatch.patch().ifPlanAt(null).planAt(T0.plusNanos(1_500_000))))
                .isTrue();
        assertThat(jobs.find("j").orElseThrow().planAt())
                .as("kept to the millisecond")
                .isEqualTo(T0.plusMillis(1));
        assertThat(jobs.update("j", JobPatch.patch().ifPlanAt(null).planAt(T0)))
                .as("planAt is set now")
                .isFalse();
        assertThat(jobs.update("j", JobPatch.patch().ifPlanAt(T0.plusMillis(1)).planAt(T0.plusSeconds(60))))
                .isTrue();
        assertThat(jobs.update("j", JobPatch.patch().ifCursor("i:5").cursor("i:9")))
                .isFalse();
        assertThat(jobs.update("j", JobPatch.patch().ifCurrentStage(1).currentStage(2)))
                .isFalse();
        assertThat(jobs.update("missing", JobPatch.patch().state(JobStatus.PAUSED, "x")))
                .isFalse();
        assertThat(jobs.update("missing", JobPatch.patch()))
                .as("nothing to write: the adapter returns at once")
                .isTrue();
        assertThat(jobs.find("j").orElseThrow().state()).isEqualTo(JobStatus.IN_PROGRESS);

        assertThat(jobs.update("j", JobPatch.patch().live(false).dynamicActive(false)))
                .isTrue();
        assertThat(jobs.liveJobIds()).isEmpty();
        assertThatThrownBy(() -> jobs.create(
                        JobRecord.created("j", jobs.find("j").orElseThrow().definition(), FW, T0)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDeviceTransitionMovesTheRowAndCountersAndANewAttemptNeedsTheJobInProgress() {
        Execution sent = releasedInJobInProgress();
        Execution failed = sent.failed(ExecutionStatus.RETRY_PENDING, -1, "fail", T0, T0);
        assertThat(devices.transition(D1, sent, failed)).isTrue();
        jobs.update("j", JobPatch.patch().state(JobStatus.PAUSED, "operator"));

        assertThat(devices.transition(D1, failed, failed.delivered(T0.plusSeconds(1))))
                .isFalse();

        assertThat(devices.execution(D1)).isEqualTo(failed);
        assertThat(rollout.row("j", "d1").orElseThrow().status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(rollout.due("j", dev.ota.port.out.RolloutStore.DueKind.RETRY, failed.dueAt(), 10))
                .containsExactly("d1");
        assertThat(jobs.counts("j").get(ExecutionStatus.RETRY_PENDING)).isEqualTo(1);
        assertThat(jobs.counts("j").retries()).isZero();

        jobs.update("j", JobPatch.patch().state(JobStatus.IN_PROGRESS, "resumed"));
        assertThat(devices.transition(D1, failed, failed.delivered(T0.plusSeconds(1))))
                .isTrue();
        assertThat(jobs.counts("j").retries()).isEqualTo(1);
        assertThat(rollout.due("j", dev.ota.port.out.RolloutStore.DueKind.RETRY, T0.plusSeconds(10), 10))
                .isEmpty();
    }

    @Test
    void withinOneDeliveryOnlyTheDeviceMovesAndTheAttemptsEndMovesTheRowAndCounters() {
        Execution sent = releasedInJobInProgress();
        var rowAtStart = rollout.row("j", "d1").orElseThrow();
        Execution downloading = sent.withStatus(ExecutionStatus.DOWNLOADING, 10, T0.plusSeconds(1));
        Execution burning = downloading.withStatus(ExecutionStatus.BURNING, 100, T0.plusSeconds(2));
        assertThat(devices.transition(D1, sent, downloading)).isTrue();
        assertThat(devices.transition(D1, downloading, burning)).isTrue();

        assertThat(devices.execution(D1)).isEqualTo(burning);
        assertThat(rollout.row("j", "d1").orElseThrow()).isEqualTo(rowAtStart);
        assertThat(jobs.counts("j").get(ExecutionStatus.DELIVERED)).isEqualTo(1);
        assertThat(jobs.counts("j").get(ExecutionStatus.BURNING)).isZero();

        assertThat(devices.transition(
                        D1, burning, burning.withStatus(ExecutionStatus.SUCCEEDED, 100, T0.plusSeconds(3))))
                .isTrue();
        assertThat(rollout.row("j", "d1").orElseThrow().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(jobs.counts("j").get(ExecutionStatus.DELIVERED)).isZero();
        assertThat(jobs.counts("j").get(ExecutionStatus.SUCCEEDED)).isEqualTo(1);
    }

    @Test
    void aLateDeviceNeedsAJobThatTakesLateDevicesAndNoOtherRow() {
        job("static", false, JobStatus.IN_PROGRESS);
        job("dynamic", true, JobStatus.IN_PROGRESS);

        assertThat(rollout.enqueueLate(D1, "static", "p1", "2.0.0", "1.0.0", 7, T0))
                .isFalse();
        assertThat(rollout.enqueueLate(D1, "dynamic", "p1", "2.0.0", "1.0.0", 7, T0))
                .isTrue();
        assertThat(rollout.enqueueLate(D1, "dynamic", "p1", "2.0.0", "1.0.0", 8, T0))
                .as("already queued")
                .isFalse();
        assertThat(jobs.find("dynamic").orElseThrow().targetCount()).isEqualTo(1);
        assertThat(rollout.nextQueued("dynamic", 10)).extracting(q -> q.seq()).containsExactly(7L);
        assertThat(rollout.row("static", "d1")).isEmpty();
    }

    @Test
    void pageTokensAreValidOnlyForTheListingThatMadeThem() {
        job("a", false, JobStatus.IN_PROGRESS);
        job("b", false, JobStatus.IN_PROGRESS);
        String token = jobs.list("p1", null, 1).nextToken();

        assertThat(jobs.list("p1", token, 1).items()).hasSize(1);
        assertThat(jobs.list("p1", token, 1).nextToken()).isNull();
        assertThatThrownBy(() -> jobs.list(null, token, 1))
                .isInstanceOfSatisfying(
                        OperatorException.class,
                        e -> assertThat(e.code()).isEqualTo(OperatorException.Code.INVALID_REQUEST));
        assertThatThrownBy(() -> rollout.rows("a", null, "%%", 1)).isInstanceOf(OperatorException.class);
    }

    @Test
    void everyProductsJobsAreNewestFirstAndLeaveOutJobItemsFromBeforeTheIndex() {
        JobDefinition d = new JobDefinition(
                "p2",
                "2.0.0",
                TargetType.DEVICE_LIST,
                null,
                List.of("d1"),
                null,
                false,
                RolloutRate.constant(10),
                List.of(),
                new RolloutWindow(null, null),
                null,
                RetryPolicy.DEFAULT,
                "");
        jobs.create(JobRecord.created("old", d, FW, T0));
        jobs.create(JobRecord.created("new", d, FW, T0.plusSeconds(1)));
        jobs.create(JobRecord.created("tie", d, FW, T0.plusSeconds(1)));
        // A job item the update-devices function wrote before the byCreated index: no definition, no index key.
        jobs.put(new JobRecord(
                "legacy",
                "p2",
                FW,
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
                T0.plusSeconds(2)));

        assertThat(jobs.list(null, null, 10).items())
                .extracting(JobRecord::jobId)
                .containsExactly("tie", "new", "old");
        assertThat(jobs.list("p2", null, 10).items())
                .extracting(JobRecord::jobId)
                .containsExactly("legacy", "tie", "new", "old");
        String token = jobs.list(null, null, 2).nextToken();
        assertThat(jobs.list(null, token, 2).items())
                .extracting(JobRecord::jobId)
                .containsExactly("old");
    }
}
