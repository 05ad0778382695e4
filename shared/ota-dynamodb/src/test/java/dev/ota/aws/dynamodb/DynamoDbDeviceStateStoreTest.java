package dev.ota.aws.dynamodb;

import static dev.ota.domain.ExecutionStatus.BURNING;
import static dev.ota.domain.ExecutionStatus.DELIVERED;
import static dev.ota.domain.ExecutionStatus.DOWNLOADING;
import static dev.ota.domain.ExecutionStatus.RETRY_PENDING;
import static dev.ota.domain.ExecutionStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.port.out.DeviceStateStore.VersionRecorded;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DynamoDbDeviceStateStoreTest extends StoreFixture {

    private final DeviceId device = new DeviceId(MotoTables.id("P"), MotoTables.id("d"));

    @Nested
    class RecordVersion {

        @Test
        void theFirstReportCreatesTheDevice() {
            VersionRecorded recorded = devices.recordVersion(device, "1.0.0", T0);

            assertThat(recorded.stale()).isFalse();
            assertThat(recorded.state()).isEqualTo(new DeviceState(device, "1.0.0", T0, null));
            assertThat(devices.find(device)).contains(recorded.state());
        }

        @Test
        void anOlderReportIsStaleAndAnswersWithTheStoredState() {
            devices.recordVersion(device, "1.1.0", T0.plusSeconds(10));

            VersionRecorded older = devices.recordVersion(device, "1.0.0", T0);

            assertThat(older.stale()).isTrue();
            assertThat(older.state()).isEqualTo(new DeviceState(device, "1.1.0", T0.plusSeconds(10), null));
            assertThat(state(device).currentVersion()).isEqualTo("1.1.0");
        }

        @Test
        void theSameReportAgainIsRecordedAgainNotDropped() {
            devices.recordVersion(device, "1.0.0", T0);

            VersionRecorded again = devices.recordVersion(device, "1.0.0", T0);

            assertThat(again.stale()).isFalse();
            assertThat(again.state().lastSeenAt()).isEqualTo(T0);
        }

        @Test
        void aLaterReportKeepsTheLiveExecution() {
            JobRecord job = job();
            DeviceId queued = queueOne(job);
            Execution live = released(job, queued);

            VersionRecorded recorded = devices.recordVersion(queued, "1.0.0", T0.plusSeconds(1));

            assertThat(recorded.state().execution()).isEqualTo(live);
            assertThat(recorded.state().currentVersion()).isEqualTo("1.0.0");
        }
    }

    /** The Devices table's TTL attribute (DeviceItem.EXPIRES_AT, template.yaml's TimeToLiveSpecification). */
    @Nested
    class Expiry {

        @Test
        void aDeviceThatNeverTookAnUpdateExpires90DaysAfterItsLatestReport() {
            devices.recordVersion(device, "1.0.0", T0);
            assertThat(expiresAt(device).n())
                    .isEqualTo(String.valueOf(T0.plus(Duration.ofDays(90)).getEpochSecond()));

            devices.recordVersion(device, "1.0.0", T0.plusSeconds(3600).plusMillis(250));
            assertThat(expiresAt(device).n())
                    .isEqualTo(String.valueOf(
                            T0.plusSeconds(3600).plus(Duration.ofDays(90)).getEpochSecond()));

            // A stale report moves nothing.
            devices.recordVersion(device, "0.9.0", T0);
            assertThat(expiresAt(device).n())
                    .isEqualTo(String.valueOf(
                            T0.plusSeconds(3600).plus(Duration.ofDays(90)).getEpochSecond()));
        }

        @Test
        void onceTheDeviceTookAnUpdateExpiresAtIsNoNumberAndStaysSo() {
            JobRecord job = job();
            DeviceId queued = queueOne(job);
            devices.recordVersion(queued, "1.0.0", T0);
            assertThat(expiresAt(queued).n()).isNotNull();

            Execution live = released(job, queued);
            assertThat(expiresAt(queued).n()).as("TTL ignores a String").isNull();
            assertThat(expiresAt(queued).s()).isEqualTo(job.jobId());

            devices.recordVersion(queued, "1.0.0", T0.plusSeconds(5));
            moved(queued, live, live.withStatus(DOWNLOADING, 10, T0.plusSeconds(6)));
            devices.recordVersion(queued, "1.0.0", T0.plusSeconds(7));
            assertThat(expiresAt(queued).n()).isNull();
            assertThat(expiresAt(queued).s()).isEqualTo(job.jobId());
        }

        private software.amazon.awssdk.services.dynamodb.model.AttributeValue expiresAt(DeviceId id) {
            var item = dynamo.getItem(r -> r.tableName(tables.devices())
                            .key(DeviceItem.key(id))
                            .consistentRead(true))
                    .item();
            assertThat(item).containsKey(DeviceItem.EXPIRES_AT);
            return item.get(DeviceItem.EXPIRES_AT);
        }
    }

    @Test
    void anUnknownDeviceIsNotFound() {
        assertThat(devices.find(device)).isEmpty();
    }

    @Test
    void theExecutionReadsBackAsWritten() {
        JobRecord job = job();
        DeviceId queued = queueOne(job);
        Execution first = released(job, queued, 2, Duration.ofMinutes(10), T0);
        Execution failed = moved(
                queued, first, first.failed(RETRY_PENDING, -4, "md5 mismatch", T0.plusSeconds(5), T0.plusSeconds(35)));

        assertThat(state(queued).execution()).isEqualTo(failed);
        assertThat(state(queued).execution().fromVersion()).isEqualTo("1.0.0");
    }

    @Nested
    class AdvancePercent {

        private final JobRecord job = job();
        private final DeviceId queued = queueOne(job);
        private final Execution delivered = released(job, queued);
        private final Execution downloading =
                moved(queued, delivered, delivered.withStatus(DOWNLOADING, 0, T0.plusSeconds(1)));

        @Test
        void raisesThePercentOfTheDownloadInOneWrite() {
            assertThat(devices.advancePercent(queued, "2.0.0", 30, T0.plusSeconds(2)))
                    .isEmpty();

            assertThat(state(queued).execution().percent()).isEqualTo(30);
            assertThat(state(queued).execution().status()).isEqualTo(DOWNLOADING);
            // The row keeps the delivery as it started (DELIVERED, 0 %); counts do not move.
            assertThat(row(job, queued).percent()).isZero();
            assertThat(row(job, queued).status()).isEqualTo(DELIVERED);
            assertThat(jobs.counts(job.jobId()).get(DELIVERED)).isEqualTo(1);
        }

        @Test
        void aPercentNotAboveTheStoredOneIsNotAppliedAndTheStateComesBack() {
            devices.advancePercent(queued, "2.0.0", 30, T0.plusSeconds(2));

            Optional<DeviceState> lower = devices.advancePercent(queued, "2.0.0", 20, T0.plusSeconds(3));
            Optional<DeviceState> same = devices.advancePercent(queued, "2.0.0", 30, T0.plusSeconds(3));

            assertThat(lower)
                    .hasValueSatisfying(s -> assertThat(s.execution().percent()).isEqualTo(30));
            assertThat(same)
                    .hasValueSatisfying(s -> assertThat(s.execution().percent()).isEqualTo(30));
            assertThat(state(queued).execution().percent()).isEqualTo(30);
        }

        @Test
        void anotherTargetOrAReportFromBeforeTheAttemptIsNotApplied() {
            assertThat(devices.advancePercent(queued, "3.0.0", 50, T0.plusSeconds(2)))
                    .isPresent();
            assertThat(devices.advancePercent(queued, "2.0.0", 50, T0.minusMillis(1)))
                    .isPresent();

            assertThat(state(queued).execution()).isEqualTo(downloading);
        }

        @Test
        void aDeviceNotDownloadingIsNotApplied() {
            moved(queued, downloading, downloading.withStatus(BURNING, 100, T0.plusSeconds(3)));

            Optional<DeviceState> found = devices.advancePercent(queued, "2.0.0", 50, T0.plusSeconds(4));

            assertThat(found)
                    .hasValueSatisfying(s -> assertThat(s.execution().status()).isEqualTo(BURNING));
        }

        @Test
        void anUnknownDeviceGetsAnEmptyStateAndNoItem() {
            Optional<DeviceState> found = devices.advancePercent(device, "2.0.0", 50, T0);

            assertThat(found).contains(new DeviceState(device, null, null, null));
            assertThat(devices.find(device)).isEmpty();
        }
    }

    @Nested
    class Transition {

        private final JobRecord job = job();
        private final DeviceId queued = queueOne(job);
        private final Execution delivered = released(job, queued);

        @Test
        void withinOneDeliveryMovesTheDeviceItemAlone() {
            var rowAtStart = row(job, queued);
            Execution downloading = moved(queued, delivered, delivered.withStatus(DOWNLOADING, 0, T0.plusSeconds(1)));
            Execution burning = moved(queued, downloading, downloading.withStatus(BURNING, 100, T0.plusSeconds(2)));

            assertThat(state(queued).execution()).isEqualTo(burning);
            assertThat(row(job, queued))
                    .as("the row keeps the delivery as it started: DELIVERED, same due time")
                    .isEqualTo(rowAtStart);
            assertThat(dueAt(job, queued)).isEqualTo(delivered.dueAt().toEpochMilli());
            JobCounts counts = jobs.counts(job.jobId());
            assertThat(counts.get(DELIVERED)).isEqualTo(1);
            assertThat(counts.get(DOWNLOADING)).isZero();
            assertThat(counts.get(BURNING)).isZero();
            assertCountsMatchRows(job);
        }

        @Test
        void theAttemptsEndMovesTheDeviceTheRowAndTheCountsTogether() {
            Execution downloading = moved(queued, delivered, delivered.withStatus(DOWNLOADING, 0, T0.plusSeconds(1)));
            moved(queued, downloading, downloading.withStatus(SUCCEEDED, 100, T0.plusSeconds(2)));

            assertThat(row(job, queued).status()).isEqualTo(SUCCEEDED);
            assertThat(dueAt(job, queued)).as("off the scheduler's list").isNull();
            JobCounts counts = jobs.counts(job.jobId());
            assertThat(counts.get(DELIVERED)).isZero();
            assertThat(counts.get(SUCCEEDED)).isEqualTo(1);
            assertThat(counts.byStage().get(0)).containsEntry(SUCCEEDED, 1L).containsEntry(DELIVERED, 0L);
            assertCountsMatchRows(job);
        }

        @Test
        void aResendWithinTheDeliveryMovesTheRowsDueTimeAndKeepsItDelivered() {
            Execution downloading = moved(queued, delivered, delivered.withStatus(DOWNLOADING, 0, T0.plusSeconds(1)));
            Execution resent = moved(queued, downloading, downloading.resent(T0.plusSeconds(400)));

            assertThat(row(job, queued).status()).isEqualTo(DELIVERED);
            assertThat(dueAt(job, queued)).isEqualTo(resent.dueAt().toEpochMilli());
            assertThat(jobs.counts(job.jobId()).get(DELIVERED)).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        private Long dueAt(JobRecord job, DeviceId id) {
            var item = dynamo.getItem(r -> r.tableName(tables.executions())
                            .key(ExecutionRow.key(job.jobId(), id.deviceName()))
                            .consistentRead(true))
                    .item();
            return item.containsKey(ExecutionRow.DUE_AT)
                    ? Long.valueOf(item.get(ExecutionRow.DUE_AT).n())
                    : null;
        }

        @Test
        void aStaleBeforeIsRefusedAndChangesNothing() {
            Execution downloading = moved(queued, delivered, delivered.withStatus(DOWNLOADING, 0, T0.plusSeconds(1)));
            devices.advancePercent(queued, "2.0.0", 40, T0.plusSeconds(2));

            // Decided from the state before the percent moved: lost the race.
            boolean applied =
                    devices.transition(queued, downloading, downloading.withStatus(BURNING, 100, T0.plusSeconds(3)));

            assertThat(applied).isFalse();
            assertThat(state(queued).execution().status()).isEqualTo(DOWNLOADING);
            assertThat(state(queued).execution().percent()).isEqualTo(40);
            assertThat(row(job, queued).status()).isEqualTo(DELIVERED);
            assertThat(jobs.counts(job.jobId()).get(BURNING)).isZero();
            assertCountsMatchRows(job);
        }

        @Test
        void aMoveDecidedBeforeADownloadTimeWasRaisedIsRefused() {
            // Found by EventOrderOnTheStoreProperties: a version report starting the next attempt
            // raced a late downloading report that only raised the download time; the attempt's
            // write put the old time back, and the attempt stayed DELIVERED instead of DOWNLOADING.
            Execution raised = moved(queued, delivered, delivered.withDownload(10, T0.plusSeconds(5)));
            assertThat(devices.transition(queued, delivered, delivered.withStatus(BURNING, 100, T0.plusSeconds(1))))
                    .isFalse();
            assertThat(state(queued).execution()).isEqualTo(raised);
        }

        @Test
        void theSameMoveTwiceIsAppliedOnce() {
            Execution succeeded = delivered.withStatus(SUCCEEDED, 100, T0.plusSeconds(1));

            assertThat(devices.transition(queued, delivered, succeeded)).isTrue();
            assertThat(devices.transition(queued, delivered, succeeded)).isFalse();

            assertThat(jobs.counts(job.jobId()).get(SUCCEEDED)).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void aNewAttemptStartsOnlyWhileTheJobIsInProgress() {
            Execution pending = moved(
                    queued,
                    delivered,
                    delivered.failed(RETRY_PENDING, -1, "download failed", T0.plusSeconds(1), T0.plusSeconds(31)));
            Execution second = pending.delivered(T0.plusSeconds(40));
            setState(job, JobStatus.PAUSED);

            assertThat(devices.transition(queued, pending, second)).isFalse();

            assertThat(state(queued).execution()).isEqualTo(pending);
            assertThat(row(job, queued).status()).isEqualTo(RETRY_PENDING);
            assertThat(jobs.counts(job.jobId()).retries()).isZero();

            setState(job, JobStatus.IN_PROGRESS);
            assertThat(devices.transition(queued, pending, second)).isTrue();

            assertThat(state(queued).execution().attempt()).isEqualTo(2);
            assertThat(jobs.counts(job.jobId()).retries()).isEqualTo(1);
            assertThat(jobs.counts(job.jobId()).get(DELIVERED)).isEqualTo(1);
            assertCountsMatchRows(job);
        }

        @Test
        void aMoveThatStartsNoAttemptDoesNotNeedTheJobInProgress() {
            setState(job, JobStatus.CANCELED);

            // A device that was already updating reports on: its progress is still recorded.
            assertThat(devices.transition(queued, delivered, delivered.withStatus(DOWNLOADING, 10, T0.plusSeconds(1))))
                    .isTrue();
            assertCountsMatchRows(job);
        }

        @Test
        void anotherJobsExecutionIsNotMoved() {
            Execution foreign = new Execution(
                    MotoTables.id("job"), delivered.firmware(), "1.0.0", DELIVERED, 1, 0, T0, T0, 0, "", POLICY, null);

            assertThat(devices.transition(queued, foreign, foreign.withStatus(DOWNLOADING, 0, T0.plusSeconds(1))))
                    .isFalse();
            assertThat(state(queued).execution()).isEqualTo(delivered);
        }
    }

    @Test
    void aDeviceThatNeverReportedHasNoItemToMove() {
        JobRecord job = job();
        Execution execution = firstAttempt(job, 0, null, T0);

        assertThat(devices.transition(device, execution, execution.withStatus(DOWNLOADING, 0, T0.plusSeconds(1))))
                .isFalse();
        assertThat(devices.find(device)).isEmpty();
        assertThat(rollout.row(job.jobId(), device.deviceName())).isEmpty();
        assertThat(jobs.counts(job.jobId()).get(DOWNLOADING)).isZero();
    }
}
