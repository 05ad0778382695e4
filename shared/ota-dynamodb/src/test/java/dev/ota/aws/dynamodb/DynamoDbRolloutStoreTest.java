package dev.ota.aws.dynamodb;

import static dev.ota.domain.ExecutionStatus.CANCELED;
import static dev.ota.domain.ExecutionStatus.DELIVERED;
import static dev.ota.domain.ExecutionStatus.DOWNLOADING;
import static dev.ota.domain.ExecutionStatus.FAILED;
import static dev.ota.domain.ExecutionStatus.QUEUED;
import static dev.ota.domain.ExecutionStatus.RETRY_PENDING;
import static dev.ota.domain.ExecutionStatus.SKIPPED;
import static dev.ota.domain.ExecutionStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.OperatorException;
import dev.ota.domain.Page;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.port.out.RolloutStore.DueKind;
import dev.ota.port.out.RolloutStore.QueuedDevice;
import dev.ota.port.out.RolloutStore.QueuedRef;
import dev.ota.port.out.RolloutStore.ReleaseResult;
import dev.ota.port.out.RolloutStore.RowView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DynamoDbRolloutStoreTest extends StoreFixture {

    @Nested
    class Expansion {

        private final JobRecord job = job();

        @Test
        void queuedRowsComeBackInReleaseOrderWhateverTheWriteOrder() {
            List<QueuedDevice> rows = new ArrayList<>();
            for (int seq = 0; seq < 30; seq++) {
                rows.add(new QueuedDevice("dev-" + seq, seq, seq % 2 == 0 ? "1.0.0" : null));
            }
            Collections.shuffle(rows, new Random(7));
            rollout.putQueued(job.jobId(), job.productId(), job.targetVersion(), 0, rows, T0);

            assertThat(rollout.nextQueued(job.jobId(), 100))
                    .extracting(QueuedRef::seq)
                    .containsExactlyElementsOf(
                            IntStream.range(0, 30).mapToObj(Long::valueOf).toList());
            assertThat(rollout.nextQueued(job.jobId(), 10))
                    .extracting(QueuedRef::deviceName)
                    .containsExactlyElementsOf(
                            IntStream.range(0, 10).mapToObj(i -> "dev-" + i).toList());
            assertThat(rollout.queuedBetween(job.jobId(), 20, 29))
                    .extracting(QueuedRef::seq)
                    .containsExactlyElementsOf(IntStream.rangeClosed(20, 29)
                            .mapToObj(Long::valueOf)
                            .toList());
            RowView row = rollout.row(job.jobId(), "dev-3").orElseThrow();
            assertThat(row.status()).isEqualTo(QUEUED);
            assertThat(row.fromVersion()).isNull();
            assertThat(row.targetVersion()).isEqualTo("2.0.0");
            assertThat(rollout.row(job.jobId(), "dev-4").orElseThrow().fromVersion())
                    .isEqualTo("1.0.0");
        }

        @Test
        void marksTellWhichNamesHaveARowAndFromWhichBatch() {
            List<String> names =
                    IntStream.range(0, 105).mapToObj(i -> "dev-" + i).toList();
            rollout.putQueued(
                    job.jobId(),
                    job.productId(),
                    job.targetVersion(),
                    0,
                    IntStream.range(0, 100)
                            .mapToObj(i -> new QueuedDevice(names.get(i), i, null))
                            .toList(),
                    T0);
            rollout.putQueued(
                    job.jobId(),
                    job.productId(),
                    job.targetVersion(),
                    100,
                    IntStream.range(100, 102)
                            .mapToObj(i -> new QueuedDevice(names.get(i), i, null))
                            .toList(),
                    T0);

            Map<String, Long> marks = rollout.expansionMarks(job.jobId(), names);

            assertThat(marks).hasSize(102);
            assertThat(marks.get("dev-0")).isZero();
            assertThat(marks.get("dev-99")).isZero();
            assertThat(marks.get("dev-100")).isEqualTo(100);
            assertThat(marks).doesNotContainKey("dev-102");
            assertThat(rollout.expansionMarks(MotoTables.id("job"), names)).isEmpty();
        }

        @Test
        void aLateRowHasNoMark() {
            JobRecord dynamic = job(job.productId(), JobStatus.IN_PROGRESS, true);
            DeviceId late = new DeviceId(dynamic.productId(), "late-1");

            assertThat(rollout.enqueueLate(late, dynamic.jobId(), dynamic.productId(), "2.0.0", "1.0.0", 5, T0))
                    .isTrue();

            assertThat(rollout.expansionMarks(dynamic.jobId(), List.of("late-1")))
                    .containsEntry("late-1", -1L);
        }
    }

    @Nested
    class Release {

        private final JobRecord job = job();
        private final List<DeviceId> queued = queue(job, "d-a", "d-b", "d-c");
        private final DeviceId device = queued.get(0);

        @Test
        void theDeviceTakesTheExecutionAndTheRowLeavesTheQueue() {
            Execution execution = firstAttempt(job, 1, Duration.ofMinutes(5), T0);

            assertThat(rollout.release(device, execution)).isEqualTo(ReleaseResult.RELEASED);

            assertThat(state(device).execution()).isEqualTo(execution);
            RowView row = row(job, device);
            assertThat(row.status()).isEqualTo(DELIVERED);
            assertThat(row.attempt()).isEqualTo(1);
            assertThat(row.stage()).isEqualTo(1);
            assertThat(rollout.nextQueued(job.jobId(), 10))
                    .extracting(QueuedRef::deviceName)
                    .containsExactly("d-b", "d-c");
            JobCounts counts = jobs.counts(job.jobId());
            assertThat(counts.get(QUEUED)).isEqualTo(2);
            assertThat(counts.get(DELIVERED)).isEqualTo(1);
            assertThat(counts.stage(1).entered()).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void aDeviceAnotherJobHoldsIsTakenAndNothingChanges() {
            JobRecord other = job(job.productId(), JobStatus.IN_PROGRESS, false);
            queue(other, device.deviceName());
            Execution held = released(other, device);

            assertThat(rollout.release(device, firstAttempt(job, 0, null, T0))).isEqualTo(ReleaseResult.DEVICE_TAKEN);

            assertThat(state(device).execution()).isEqualTo(held);
            assertThat(row(job, device).status()).isEqualTo(QUEUED);
            assertThat(rollout.nextQueued(job.jobId(), 10)).hasSize(3);
            assertCountsMatchRows(job);
            assertThat(jobs.counts(job.jobId()).get(QUEUED)).isEqualTo(3);
        }

        @Test
        void aDeviceOnTheTargetVersionIsTakenToo() {
            devices.recordVersion(device, "2.0.0", T0);

            assertThat(rollout.release(device, firstAttempt(job, 0, null, T0))).isEqualTo(ReleaseResult.DEVICE_TAKEN);
            assertThat(state(device).execution()).isNull();
            assertCountsMatchRows(job);
        }

        @Test
        void aDeviceWhoseLastExecutionEndedIsFree() {
            JobRecord other = job(job.productId(), JobStatus.IN_PROGRESS, false);
            queue(other, device.deviceName());
            Execution old = released(other, device);
            moved(device, old, old.failed(FAILED, -2, "file not found", T0.plusSeconds(1), null));

            assertThat(rollout.release(device, firstAttempt(job, 0, null, T0.plusSeconds(2))))
                    .isEqualTo(ReleaseResult.RELEASED);
            assertThat(state(device).execution().jobId()).isEqualTo(job.jobId());
        }

        @Test
        void aJobNotInProgressReleasesNothingAndSaysSoFirst() {
            setState(job, JobStatus.PAUSED);

            assertThat(rollout.release(device, firstAttempt(job, 0, null, T0))).isEqualTo(ReleaseResult.JOB_NOT_ACTIVE);
            assertThat(devices.find(device)).isEmpty();
            assertThat(row(job, device).status()).isEqualTo(QUEUED);

            // Also when the device is taken: a stopped job is the answer the releaser stops on.
            JobRecord other = job(job.productId(), JobStatus.IN_PROGRESS, false);
            queue(other, device.deviceName());
            released(other, device);
            assertThat(rollout.release(device, firstAttempt(job, 0, null, T0))).isEqualTo(ReleaseResult.JOB_NOT_ACTIVE);
            // And when the row left the queue meanwhile.
            DeviceId canceled = queued.get(1);
            assertThat(rollout.cancelQueued(canceled, job.jobId(), "canceled by an operator", T0))
                    .isTrue();
            assertThat(rollout.release(canceled, firstAttempt(job, 0, null, T0)))
                    .isEqualTo(ReleaseResult.JOB_NOT_ACTIVE);
            assertCountsMatchRows(job);
        }

        @Test
        void aSecondReleaseFindsTheRowNoLongerQueuedAndCountsOnce() {
            Execution execution = firstAttempt(job, 0, null, T0);
            assertThat(rollout.release(device, execution)).isEqualTo(ReleaseResult.RELEASED);

            assertThat(rollout.release(device, execution)).isEqualTo(ReleaseResult.NOT_QUEUED);

            assertThat(jobs.counts(job.jobId()).get(DELIVERED)).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void aDeviceTheJobNeverQueuedGetsNoRow() {
            DeviceId stranger = new DeviceId(job.productId(), MotoTables.id("d"));

            assertThat(rollout.release(stranger, firstAttempt(job, 0, null, T0)))
                    .isEqualTo(ReleaseResult.NOT_QUEUED);

            assertThat(rollout.row(job.jobId(), stranger.deviceName())).isEmpty();
            assertThat(devices.find(stranger)).isEmpty();
            assertCountsMatchRows(job);
        }
    }

    @Nested
    class Skip {

        private final JobRecord job = job(MotoTables.id("P"), JobStatus.IN_PROGRESS, true);
        private final DeviceId device = queue(job, "d-a", "d-b").get(0);

        @Test
        void theRowIsSkippedWithItsReasonAndCounted() {
            assertThat(rollout.skip(device, job.jobId(), 2, "held by job j-1", "j-1", false, T0.plusSeconds(1)))
                    .isTrue();

            RowView row = row(job, device);
            assertThat(row.status()).isEqualTo(SKIPPED);
            assertThat(row.resultMsg()).isEqualTo("held by job j-1");
            assertThat(row.heldBy()).isEqualTo("j-1");
            assertThat(row.stage()).isEqualTo(2);
            assertThat(rollout.nextQueued(job.jobId(), 10))
                    .extracting(QueuedRef::deviceName)
                    .containsExactly("d-b");
            assertThat(jobs.counts(job.jobId()).stage(2).skipped()).isEqualTo(1);
            assertThat(devices.find(device)).isEmpty();
            assertCountsMatchRows(job);
        }

        @Test
        void aDynamicJobWaitsOnTheDevice() {
            devices.recordVersion(device, "1.0.0", T0);

            assertThat(rollout.skip(device, job.jobId(), 0, "held by job j-1", "j-1", true, T0))
                    .isTrue();

            assertThat(state(device).waitingJobs()).containsExactly(job.jobId());
            assertThat(state(device).currentVersion()).isEqualTo("1.0.0");
        }

        @Test
        void skippingTwiceCountsOnce() {
            assertThat(rollout.skip(device, job.jobId(), 0, "already runs 2.0.0", null, false, T0))
                    .isTrue();
            assertThat(rollout.skip(device, job.jobId(), 0, "already runs 2.0.0", null, false, T0))
                    .isFalse();

            assertThat(row(job, device).heldBy()).isNull();
            assertThat(jobs.counts(job.jobId()).get(SKIPPED)).isEqualTo(1);
            assertCountsMatchRows(job);
        }
    }

    @Nested
    class CancelQueued {

        private final JobRecord job = job();
        private final List<DeviceId> queued = queue(job, "d-a", "d-b");

        @Test
        void aQueuedRowIsCanceledOnceAndLeavesTheQueue() {
            DeviceId device = queued.get(0);

            assertThat(rollout.cancelQueued(device, job.jobId(), "canceled by an operator", T0.plusSeconds(1)))
                    .isTrue();
            assertThat(rollout.cancelQueued(device, job.jobId(), "canceled by an operator", T0.plusSeconds(2)))
                    .isFalse();

            RowView row = row(job, device);
            assertThat(row.status()).isEqualTo(CANCELED);
            assertThat(row.resultMsg()).isEqualTo("canceled by an operator");
            assertThat(rollout.nextQueued(job.jobId(), 10))
                    .extracting(QueuedRef::deviceName)
                    .containsExactly("d-b");
            JobCounts counts = jobs.counts(job.jobId());
            assertThat(counts.get(CANCELED)).isEqualTo(1);
            assertThat(counts.get(QUEUED)).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void aReleasedRowIsNotCanceledHere() {
            DeviceId device = queued.get(1);
            Execution live = released(job, device);

            assertThat(rollout.cancelQueued(device, job.jobId(), "canceled by an operator", T0.plusSeconds(1)))
                    .isFalse();

            assertThat(row(job, device).status()).isEqualTo(DELIVERED);
            assertThat(state(device).execution()).isEqualTo(live);
            assertCountsMatchRows(job);
        }
    }

    @Nested
    class EnqueueLate {

        private final JobRecord job = job(MotoTables.id("P"), JobStatus.IN_PROGRESS, true);
        private final DeviceId device = new DeviceId(job.productId(), MotoTables.id("d"));

        @Test
        void aNewDeviceGetsAQueuedRowAndCountsAsATarget() {
            devices.recordVersion(device, "1.0.0", T0);

            assertThat(rollout.enqueueLate(
                            device, job.jobId(), job.productId(), "2.0.0", "1.0.0", 7, T0.plusSeconds(1)))
                    .isTrue();

            assertThat(rollout.nextQueued(job.jobId(), 10)).containsExactly(new QueuedRef(device.deviceName(), 7));
            assertThat(row(job, device).fromVersion()).isEqualTo("1.0.0");
            assertThat(jobs.find(job.jobId()).orElseThrow().targetCount()).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void aSkippedDeviceIsQueuedAgainAndNoLongerWaitedOn() {
            queue(job, device.deviceName());
            devices.recordVersion(device, "1.0.0", T0);
            rollout.skip(device, job.jobId(), 1, "held by job j-1", "j-1", true, T0);
            long targets = jobs.find(job.jobId()).orElseThrow().targetCount();

            assertThat(rollout.enqueueLate(
                            device, job.jobId(), job.productId(), "2.0.0", "1.0.0", 9, T0.plusSeconds(1)))
                    .isTrue();

            RowView row = row(job, device);
            assertThat(row.status()).isEqualTo(QUEUED);
            assertThat(row.heldBy()).isNull();
            assertThat(rollout.nextQueued(job.jobId(), 10)).containsExactly(new QueuedRef(device.deviceName(), 9));
            assertThat(state(device).waitingJobs()).isEmpty();
            JobCounts counts = jobs.counts(job.jobId());
            assertThat(counts.stage(1).skipped()).isZero();
            assertThat(jobs.find(job.jobId()).orElseThrow().targetCount()).isEqualTo(targets);
            assertCountsMatchRows(job);
        }

        @Test
        void aDeviceTheJobAlreadyHasOtherwiseIsRefused() {
            devices.recordVersion(device, "1.0.0", T0);
            assertThat(rollout.enqueueLate(device, job.jobId(), job.productId(), "2.0.0", "1.0.0", 7, T0))
                    .isTrue();

            assertThat(rollout.enqueueLate(device, job.jobId(), job.productId(), "2.0.0", "1.0.0", 8, T0))
                    .isFalse();
            released(job, device);
            assertThat(rollout.enqueueLate(device, job.jobId(), job.productId(), "2.0.0", "1.0.0", 8, T0))
                    .isFalse();

            assertThat(jobs.find(job.jobId()).orElseThrow().targetCount()).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void aJobThatTakesNoLateDevicesWritesNothing() {
            devices.recordVersion(device, "1.0.0", T0);
            assertThat(jobs.update(job.jobId(), JobPatch.patch().dynamicActive(false)))
                    .isTrue();

            assertThat(rollout.enqueueLate(device, job.jobId(), job.productId(), "2.0.0", "1.0.0", 7, T0))
                    .isFalse();

            assertThat(rollout.row(job.jobId(), device.deviceName())).isEmpty();
            assertThat(jobs.find(job.jobId()).orElseThrow().targetCount()).isZero();
            assertCountsMatchRows(job);

            JobRecord fixed = job(job.productId(), JobStatus.IN_PROGRESS, false);
            assertThat(rollout.enqueueLate(device, fixed.jobId(), fixed.productId(), "2.0.0", "1.0.0", 7, T0))
                    .isFalse();
            assertThat(rollout.row(fixed.jobId(), device.deviceName())).isEmpty();
        }
    }

    @Nested
    class Restart {

        private final JobRecord job = job();
        private final DeviceId device = queueOne(job);

        @Test
        void aFailedDeviceStartsAFreshAttemptCountedAsARetry() {
            Execution first = released(job, device);
            moved(device, first, first.failed(FAILED, -2, "file not found", T0.plusSeconds(1), null));
            RowView failed = row(job, device);
            Execution again = firstAttempt(job, 0, null, T0.plusSeconds(60)).restarted(T0.plusSeconds(60));

            assertThat(rollout.restart(device, failed, again)).isTrue();

            assertThat(state(device).execution()).isEqualTo(again);
            assertThat(row(job, device).status()).isEqualTo(DELIVERED);
            JobCounts counts = jobs.counts(job.jobId());
            assertThat(counts.get(FAILED)).isZero();
            assertThat(counts.retries()).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void aSkippedDeviceStartsItsFirstAttemptNotARetry() {
            rollout.skip(device, job.jobId(), 0, "held by job j-1", "j-1", false, T0);

            assertThat(rollout.restart(device, row(job, device), firstAttempt(job, 0, null, T0.plusSeconds(5))))
                    .isTrue();

            assertThat(jobs.counts(job.jobId()).retries()).isZero();
            assertThat(jobs.counts(job.jobId()).get(DELIVERED)).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void refusedWhenTheDeviceIsBusyTheJobStoppedOrTheRowMoved() {
            rollout.skip(device, job.jobId(), 0, "held by job j-1", "j-1", false, T0);
            RowView skipped = row(job, device);
            Execution attempt = firstAttempt(job, 0, null, T0.plusSeconds(5));

            JobRecord other = job(job.productId(), JobStatus.IN_PROGRESS, false);
            queue(other, device.deviceName());
            Execution held = released(other, device);
            assertThat(rollout.restart(device, skipped, attempt))
                    .as("device busy")
                    .isFalse();
            moved(device, held, held.withStatus(SUCCEEDED, 100, T0.plusSeconds(1)));

            setState(job, JobStatus.PAUSED);
            assertThat(rollout.restart(device, skipped, attempt))
                    .as("job paused")
                    .isFalse();
            setState(job, JobStatus.IN_PROGRESS);

            RowView stale = new RowView(
                    skipped.jobId(), skipped.deviceName(), FAILED, 0, -1, "", "1.0.0", "2.0.0", 1, T0, 0, null);
            assertThat(rollout.restart(device, stale, attempt)).as("row moved").isFalse();

            assertThat(row(job, device).status()).isEqualTo(SKIPPED);
            assertThat(state(device).execution().jobId()).isEqualTo(other.jobId());
            assertCountsMatchRows(job);
        }
    }

    @Nested
    class Reads {

        private final JobRecord job = job();

        @Test
        void dueFindsTimeoutsAndRetriesByDueTimeMostOverdueFirst() {
            List<DeviceId> queued = queue(job, "d-a", "d-b", "d-c", "d-d");
            Duration timeout = Execution.QUIET_AFTER.minusMinutes(1); // times out before it counts as quiet
            released(job, queued.get(0), 0, timeout, T0.plusSeconds(20));
            released(job, queued.get(1), 0, timeout, T0);
            Execution c = released(job, queued.get(2), 0, timeout, T0.plusSeconds(10));
            released(job, queued.get(3), 0, null, T0);
            moved(
                    queued.get(2),
                    c,
                    c.failed(RETRY_PENDING, -1, "download failed", T0.plusSeconds(30), T0.plusSeconds(90)));

            assertThat(rollout.due(
                            job.jobId(), DueKind.TIMEOUT, T0.plus(timeout).plusSeconds(30), 10))
                    .containsExactly("d-b", "d-a");
            assertThat(rollout.due(
                            job.jobId(), DueKind.TIMEOUT, T0.plus(timeout).plusSeconds(30), 1))
                    .containsExactly("d-b");
            assertThat(rollout.due(
                            job.jobId(), DueKind.TIMEOUT, T0.plus(timeout).minusMillis(1), 10))
                    .isEmpty();
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, T0.plus(Execution.QUIET_AFTER), 10))
                    .as("d-d has no timeout but is due when quiet")
                    .containsExactly("d-b", "d-a", "d-d");
            Instant retryDue = T0.plusSeconds(90).plus(RetryPolicy.DEVICE_FIRST);
            assertThat(rollout.due(job.jobId(), DueKind.RETRY, retryDue.minusMillis(1), 10))
                    .isEmpty();
            assertThat(rollout.due(job.jobId(), DueKind.RETRY, retryDue, 10)).containsExactly("d-c");
        }

        @Test
        void anExecutionThatEndsIsNoLongerDue() {
            DeviceId device = queueOne(job);
            Execution live = released(job, device, 0, Duration.ofMinutes(1), T0);

            moved(device, live, live.withStatus(SUCCEEDED, 100, T0.plusSeconds(5)));

            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, T0.plusSeconds(3600), 10))
                    .isEmpty();
        }

        @Test
        void aPercentMovesOnlyTheDeviceItemSoTheDueRowIsRearmedFromIt() {
            DeviceId device = queueOne(job);
            Execution live = released(job, device, 0, Duration.ofHours(1), T0);
            Execution downloading = moved(device, live, live.withStatus(DOWNLOADING, 5, T0.plusSeconds(10)));
            Instant later = T0.plusSeconds(200);
            assertThat(devices.advancePercent(device, downloading.targetVersion(), 40, later))
                    .isEmpty();
            Instant firstDue = T0.plusSeconds(10).plus(Execution.QUIET_AFTER);
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, firstDue, 10)).containsExactly(device.deviceName());

            Execution current = state(device).execution();
            rollout.rearm(device, current);

            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, firstDue, 10)).isEmpty();
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, later.plus(Execution.QUIET_AFTER), 10))
                    .containsExactly(device.deviceName());
            // A rearm of an attempt the row has moved past changes nothing.
            moved(device, current, current.withStatus(SUCCEEDED, 100, later.plusSeconds(1)));
            rollout.rearm(device, current);
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, T0.plus(Duration.ofDays(1)), 10))
                    .isEmpty();
        }

        @Test
        void aStatusChangeWithinTheDeliveryLeavesTheDueEntryEarlyTillTheSchedulerRearmsIt() {
            DeviceId device = queueOne(job);
            Execution live = released(job, device, 0, Duration.ofHours(1), T0);
            Instant quietAfterRelease = T0.plus(Execution.QUIET_AFTER);
            Execution downloading = moved(device, live, live.withStatus(DOWNLOADING, 5, T0.plusSeconds(10)));
            Execution burning = moved(
                    device, downloading, downloading.withStatus(ExecutionStatus.BURNING, 100, T0.plusSeconds(20)));
            assertThat(burning.dueAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
            assertThat(row(job, device).status())
                    .as("the row keeps the delivery")
                    .isEqualTo(ExecutionStatus.DELIVERED);

            // The byDue entry did not move with the two status changes: still at the release's quiet time.
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, quietAfterRelease.minusMillis(1), 10))
                    .isEmpty();
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, quietAfterRelease, 10))
                    .containsExactly(device.deviceName());

            rollout.rearm(device, burning);
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, burning.dueAt().minusMillis(1), 10))
                    .isEmpty();
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, burning.dueAt(), 10))
                    .containsExactly(device.deviceName());

            // The attempt ends: the entry goes.
            moved(device, burning, burning.withStatus(SUCCEEDED, 100, T0.plusSeconds(30)));
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, T0.plus(Duration.ofDays(1)), 10))
                    .isEmpty();
        }

        @Test
        void theRearmOfADeliveryNoLongerDueTakesItOffTheList() {
            DeviceId device = queueOne(job);
            Execution live = released(job, device, 0, null, T0);
            Execution burning = moved(device, live, live.withStatus(ExecutionStatus.BURNING, 100, T0.plusSeconds(20)));
            assertThat(burning.dueAt()).as("burning without a timeout").isNull();
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, T0.plus(Execution.QUIET_AFTER), 10))
                    .as("early, left by the report within the delivery")
                    .containsExactly(device.deviceName());

            rollout.rearm(device, burning);

            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, T0.plus(Duration.ofDays(3650)), 10))
                    .isEmpty();
            assertThat(row(job, device).status()).isEqualTo(ExecutionStatus.DELIVERED);
        }

        @Test
        void twoRunsThatFoundTheSameQuietAttemptResendItOnce() {
            DeviceId device = queueOne(job);
            Execution live = released(job, device, 0, Duration.ofHours(1), T0);
            Instant quiet = T0.plus(Execution.QUIET_AFTER);

            assertThat(devices.transition(device, live, live.resent(quiet))).isTrue();
            assertThat(devices.transition(device, live, live.resent(quiet.plusMillis(3))))
                    .as("the second run decided from the same state")
                    .isFalse();
            assertThat(state(device).execution().resends()).isEqualTo(1);
            assertThat(rollout.due(job.jobId(), DueKind.TIMEOUT, quiet.plus(Execution.QUIET_AFTER), 10))
                    .containsExactly(device.deviceName());
        }

        @Test
        void withStatusListsTheJobsDevicesInOneStatus() {
            List<DeviceId> queued = queue(job, "d-a", "d-b", "d-c");
            released(job, queued.get(1));

            assertThat(rollout.withStatus(job.jobId(), QUEUED, 10)).containsExactlyInAnyOrder("d-a", "d-c");
            assertThat(rollout.withStatus(job.jobId(), QUEUED, 1)).hasSize(1);
            assertThat(rollout.withStatus(job.jobId(), DELIVERED, 10)).containsExactly("d-b");
            assertThat(rollout.withStatus(job.jobId(), DOWNLOADING, 10)).isEmpty();
        }

        @Test
        void aRowListedByStatusHasEveryFieldOfTheRowItself() {
            // byStatus projects only what the listings read (INCLUDE, template.yaml): a row read
            // through it must equal the row read from the table, with every field set.
            DeviceId device = new DeviceId(job.productId(), "d-full");
            Execution failed = new Execution(
                    job.jobId(),
                    firmware("2.0.0"),
                    "1.0.0",
                    FAILED,
                    3,
                    47,
                    T0,
                    T0.plusSeconds(90),
                    -4,
                    "md5 mismatch",
                    null,
                    null,
                    2,
                    Duration.ofMinutes(5),
                    1,
                    0,
                    null,
                    null,
                    List.of());
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item =
                    new java.util.HashMap<>(ExecutionRow.key(job.jobId(), device.deviceName()));
            item.putAll(ExecutionRow.attributes(device, failed));
            item.put(ExecutionRow.HELD_BY, Attr.s("stage-hold"));
            dynamo.putItem(r -> r.tableName(tables.executions()).item(item));

            RowView whole = rollout.row(job.jobId(), device.deviceName()).orElseThrow();
            assertThat(whole.heldBy()).isEqualTo("stage-hold");
            assertThat(whole.resultMsg()).isEqualTo("md5 mismatch");
            assertThat(rollout.rows(job.jobId(), FAILED, null, 10).items()).containsExactly(whole);
        }

        @Test
        void rowsPageThroughTheJobByDeviceNameOptionallyInOneStatus() {
            List<String> names = IntStream.range(0, 7).mapToObj(i -> "d-" + i).toList();
            List<DeviceId> queued = queue(job, names.toArray(String[]::new));
            released(job, queued.get(2));
            released(job, queued.get(5));

            assertThat(allRows(job.jobId(), null, 3))
                    .extracting(RowView::deviceName)
                    .containsExactlyElementsOf(names);
            assertThat(allRows(job.jobId(), QUEUED, 2))
                    .extracting(RowView::deviceName)
                    .containsExactly("d-0", "d-1", "d-3", "d-4", "d-6");
            assertThat(allRows(job.jobId(), DELIVERED, 1))
                    .extracting(RowView::deviceName)
                    .containsExactly("d-2", "d-5");
            Page<RowView> last = rollout.rows(job.jobId(), DELIVERED, null, 5);
            assertThat(last.nextToken()).isNull();
            assertThat(rollout.rows(MotoTables.id("job"), null, null, 5)).isEqualTo(new Page<>(List.of(), null));
        }

        @Test
        void aTokenThatIsNotFromThisListingIsAnInvalidRequest() {
            queue(job, "d-0", "d-1", "d-2");
            JobRecord other = job();
            queue(other, "d-0", "d-1", "d-2");
            String ofAll = rollout.rows(job.jobId(), null, null, 1).nextToken();
            String ofQueued = rollout.rows(job.jobId(), QUEUED, null, 1).nextToken();

            assertInvalid(() -> rollout.rows(job.jobId(), null, "not a token", 5));
            assertInvalid(() -> rollout.rows(job.jobId(), null, ofQueued, 5));
            assertInvalid(() -> rollout.rows(job.jobId(), QUEUED, ofAll, 5));
            // On AWS, a start key outside the query's partition is a ValidationException, not a page.
            assertInvalid(() -> rollout.rows(other.jobId(), null, ofAll, 5));
            assertInvalid(() -> rollout.rows(other.jobId(), QUEUED, ofQueued, 5));
            assertInvalid(() -> rollout.rows(job.jobId(), DELIVERED, ofQueued, 5));
        }

        @Test
        void devicesReadsDeviceItemsInBulkLeavingOutThoseWithout() {
            String product = job.productId();
            List<String> names =
                    IntStream.range(0, 105).mapToObj(i -> "bulk-" + i).toList();
            names.subList(0, 102).forEach(n -> devices.recordVersion(new DeviceId(product, n), "1.0.0", T0));

            Map<String, DeviceState> found = rollout.devices(product, names);

            assertThat(found).hasSize(102).containsKeys("bulk-0", "bulk-101").doesNotContainKey("bulk-102");
            assertThat(found.get("bulk-7"))
                    .isEqualTo(new DeviceState(new DeviceId(product, "bulk-7"), "1.0.0", T0, null));
            assertThat(rollout.devices(MotoTables.id("P"), names)).isEmpty();
        }
    }

    static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        OperatorException.class,
                        e -> assertThat(e.code()).isEqualTo(OperatorException.Code.INVALID_REQUEST));
    }
}
