package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.PRODUCT;
import static dev.ota.app.jobs.EngineFixture.T0;
import static dev.ota.app.jobs.EngineFixture.TARGET;
import static dev.ota.app.jobs.EngineFixture.group;
import static dev.ota.app.jobs.EngineFixture.request;
import static dev.ota.app.jobs.EngineFixture.rest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Firmware;
import dev.ota.domain.OperatorException;
import dev.ota.domain.OperatorException.Code;
import dev.ota.domain.Page;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.JobActors;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.RolloutEvent;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.port.in.JobOperations;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import dev.ota.port.in.JobOperations.DeviceView;
import dev.ota.port.in.JobOperations.FleetVersions;
import dev.ota.port.in.JobOperations.JobHealth;
import dev.ota.port.in.JobOperations.JobStatistics;
import dev.ota.port.in.JobOperations.JobView;
import dev.ota.port.in.JobOperations.StageHealth;
import dev.ota.port.in.JobOperations.StagePhase;
import dev.ota.port.in.JobOperations.Targets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The operator's side: create, describe, list, pause, resume, cancel, one device's cancel and retry, statistics, device lists. */
class JobServiceTest {

    private final EngineFixture f = new EngineFixture();

    private static void assertRefused(ThrowingCallable call, Code code) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        OperatorException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    // ---- create, describe, list ----

    @Test
    void createExpandsAnInlineListAtOnceAndDescribesTheJob() {
        f.fleet(3, FROM);

        JobView view =
                f.service.create(request().devices("d01", "d02", "d03").rate(10).build());

        assertThat(view.state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(view.targetCount()).isEqualTo(3);
        assertThat(view.counts())
                .containsEntry(ExecutionStatus.QUEUED, 3L)
                .containsEntry(ExecutionStatus.DELIVERED, 0L);
        assertThat(view.targetVersion()).isEqualTo(TARGET);
        assertThat(view.definition().rollout().ratePerMinute()).isEqualTo(10);
        assertThat(view.createdAt()).isEqualTo(T0);
        assertThat(f.service.describe(view.jobId())).isEqualTo(view);
        assertThat(f.jobs.liveJobIds()).containsExactly(view.jobId());
        assertThat(f.updated())
                .as("creation sends nothing; the scheduler releases")
                .isEmpty();
    }

    @Test
    void createRefusesFirmwareThatIsNotAvailable() {
        f.catalog.insert(
                Firmware.reserved(
                        PRODUCT, "3.0.0", "firmware/p1/3.0.0/fw.bin", 10, "5d41402abc4b2a76b9719d911017c592", "", T0),
                null);
        CreateJob unknown = new CreateJob(
                PRODUCT,
                "9.9.9",
                new Targets(TargetType.DEVICE_LIST, null, List.of("d01"), null),
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        CreateJob uploading = new CreateJob(
                PRODUCT,
                "3.0.0",
                new Targets(TargetType.DEVICE_LIST, null, List.of("d01"), null),
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                null);

        assertRefused(() -> f.service.create(unknown), Code.FIRMWARE_NOT_AVAILABLE);
        assertRefused(() -> f.service.create(uploading), Code.FIRMWARE_NOT_AVAILABLE);
        assertThat(f.jobs.liveJobIds()).isEmpty();
    }

    @Test
    void createRefusesAnInvalidRequestOrAMissingDeviceListFile() {
        assertRefused(() -> f.service.create(request().devices(List.of()).build()), Code.INVALID_REQUEST);
        assertRefused(
                () -> f.service.create(
                        request().file("device-lists/missing.txt").build()),
                Code.INVALID_REQUEST);
        assertThat(f.jobs.liveJobIds()).isEmpty();
    }

    @Test
    void anUnknownOrMalformedJobIdIsNotFound() {
        for (String id : new String[] {"no-such-job", "", "a#c1", "x".repeat(65)}) {
            assertRefused(() -> f.service.describe(id), Code.NOT_FOUND);
        }
        assertRefused(() -> f.service.cancel(null), Code.NOT_FOUND);
    }

    @Test
    void listIsNewestFirstPagedAndChecked() {
        f.fleet(1, FROM);
        String first = f.create(request().devices("d01"));
        f.clock.advance(Duration.ofSeconds(1));
        String second = f.create(request().devices("d01"));
        f.clock.advance(Duration.ofSeconds(1));
        String third = f.create(request().devices("d01"));

        Page<JobView> page1 = f.service.list(PRODUCT, null, 2);
        Page<JobView> page2 = f.service.list(PRODUCT, page1.nextToken(), 2);

        assertThat(page1.items()).extracting(JobView::jobId).containsExactly(third, second);
        assertThat(page1.items().get(0).counts()).containsEntry(ExecutionStatus.QUEUED, 1L);
        assertThat(page2.items()).extracting(JobView::jobId).containsExactly(first);
        assertThat(page2.nextToken()).isNull();
        assertThat(f.service.list(null, null, 10).items()).hasSize(3);
        assertThat(f.service.list("p2", null, 10).items()).isEmpty();
        assertRefused(() -> f.service.list(PRODUCT, "not-a-token", 2), Code.INVALID_REQUEST);
        assertRefused(() -> f.service.list(PRODUCT, null, 0), Code.INVALID_REQUEST);
        assertRefused(() -> f.service.list("bad/product", null, 2), Code.INVALID_REQUEST);
    }

    // ---- pause, resume, cancel ----

    @Test
    void theCallerOfCreatePauseResumeAndCancelIsKeptOnTheJobAndNamedInItsEvents() {
        String alice = "arn:aws:iam::123456789012:user/alice";
        String bob = "arn:aws:sts::123456789012:assumed-role/Operator/bob";
        String job = f.service
                .create(request().devices(f.fleet(2, FROM)).build(), null, alice)
                .jobId();
        f.service.pause(job, bob);
        f.service.resume(job, alice);
        JobView canceled = f.service.cancel(job, bob);

        assertThat(canceled.actors()).isEqualTo(new JobActors(alice, bob, alice, bob));
        assertThat(f.job(job).actors()).isEqualTo(new JobActors(alice, bob, alice, bob));
        assertThat(f.events)
                .extracting(RolloutEvent::type, e -> e.detail().get(actorField(e.type())))
                .containsExactly(
                        tuple(RolloutEvent.JOB_CREATED, alice),
                        tuple(RolloutEvent.JOB_PAUSED, bob),
                        tuple(RolloutEvent.JOB_RESUMED, alice),
                        tuple(RolloutEvent.JOB_CANCELED, bob));
    }

    private static String actorField(String type) {
        return switch (type) {
            case RolloutEvent.JOB_CREATED -> "createdBy";
            case RolloutEvent.JOB_PAUSED -> "pausedBy";
            case RolloutEvent.JOB_RESUMED -> "resumedBy";
            default -> "canceledBy";
        };
    }

    @Test
    void aJobWithoutACallerNamesNobody() {
        String job = f.create(request().devices(f.fleet(1, FROM)));
        f.service.pause(job);
        assertThat(f.service.describe(job).actors()).isEqualTo(JobActors.NONE);
        assertThat(f.events.get(0).detail()).doesNotContainKey("createdBy");
    }

    // ---- health ----

    @Test
    void healthShowsEachStageAndTheFailuresByResultCode() {
        List<String> fleet = f.fleet(6, FROM);
        String job = f.create(request()
                .devices(fleet)
                .rate(100)
                .retry(1, Duration.ZERO)
                .stages(group(4, 100, 50, 2, FailureAction.PAUSE), rest()));
        f.planAndRun(job);
        List<String> released = f.updated();
        assertThat(released).hasSize(4);
        f.fail(-4, released.get(0));
        f.fail(-3, released.get(1));
        f.succeed(released.get(2));

        JobHealth h = f.service.health(job);

        assertThat(h.stages()).hasSize(2);
        StageHealth first = h.stages().get(0);
        assertThat(first.stage()).isEqualTo(1);
        assertThat(first.phase()).isEqualTo(StagePhase.CURRENT);
        assertThat(first.size()).isEqualTo(4);
        assertThat(first.entered()).isEqualTo(4);
        assertThat(first.succeeded()).isEqualTo(1);
        assertThat(first.failed()).isEqualTo(2);
        assertThat(first.live()).isEqualTo(1);
        assertThat(first.failurePercent()).isCloseTo(200.0 / 3, org.assertj.core.data.Offset.offset(0.01));
        assertThat(first.verdict()).isEqualTo("PAUSE");
        assertThat(first.verdictReason()).contains("2 of 3 finished devices failed");
        StageHealth second = h.stages().get(1);
        assertThat(second.phase()).isEqualTo(StagePhase.PENDING);
        assertThat(second.size()).isEqualTo(2);
        assertThat(second.entered()).isZero();
        assertThat(second.verdict()).isNull();
        assertThat(h.failuresByCode()).containsExactlyInAnyOrderEntriesOf(Map.of(-4, 1L, -3, 1L));
        assertThat(h.failed()).isEqualTo(2);
        assertThat(h.failuresRead()).isEqualTo(2);
        assertThat(h.failuresComplete()).isTrue();
    }

    @Test
    void healthOfAJobWithoutStagesIsOneGroupOfAllItsTargets() {
        String job = f.create(request().devices(f.fleet(3, FROM)).rate(100));
        f.planAndRun(job);
        JobHealth h = f.service.health(job);
        assertThat(h.stages()).singleElement().satisfies(s -> {
            assertThat(s.size()).isEqualTo(3);
            assertThat(s.entered()).isEqualTo(3);
            assertThat(s.verdict()).isEqualTo("CONTINUE");
        });
        assertRefused(() -> f.service.health("no-such-job"), Code.NOT_FOUND);
    }

    @Test
    void versionsCountTheProductsDevicesPerReportedVersion() {
        f.fleet(3, FROM);
        f.device("x1", "1.1.0");
        FleetVersions v = f.service.versions(EngineFixture.PRODUCT);
        assertThat(v.devicesByVersion()).containsExactly(Map.entry(FROM, 3L), Map.entry("1.1.0", 1L));
        assertThat(v.devices()).isEqualTo(4);
        assertThat(f.service.versions("other").devices()).isZero();
        assertRefused(() -> f.service.versions("bad product!"), Code.INVALID_REQUEST);
    }

    @Test
    void pauseAndResumeAreIdempotent() {
        String job = f.create(request().devices(f.fleet(2, FROM)));

        assertThat(f.service.pause(job).state()).isEqualTo(JobStatus.PAUSED);
        assertThat(f.service.pause(job).stateReason()).isEqualTo("paused by an operator");
        assertThat(f.service.resume(job).state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(f.service.resume(job).state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(f.job(job).pausedByRule()).isFalse();
        assertThat(f.job(job).resumedStage())
                .as("an operator's own pause gives no group a pass")
                .isEqualTo(-1);
    }

    @Test
    void resumeGoesBackToWhereTheJobWas() {
        f.fleet(2, FROM);
        String later = f.create(request().devices("d01").window(T0.plus(Duration.ofHours(1)), null));
        EngineFixture slow = new EngineFixture(EngineFixture.tuning(1, 200, 100, Duration.ZERO, Duration.ZERO));
        slow.fleet(2, FROM);
        String expanding = slow.create(request().devices("d01", "d02"));

        f.service.pause(later);
        slow.service.pause(expanding);

        assertThat(f.service.resume(later).state()).isEqualTo(JobStatus.SCHEDULED);
        assertThat(slow.service.resume(expanding).state()).isEqualTo(JobStatus.PREPARING);
    }

    @Test
    void anEndedJobCanNeitherBePausedResumedNorCanceled() {
        f.fleet(2, FROM);
        String canceled = f.create(request().devices("d01"));
        String completed = f.completedJob("d02");
        f.service.cancel(canceled);

        assertThat(f.service.cancel(canceled).state())
                .as("a second cancel is a no-op")
                .isEqualTo(JobStatus.CANCELED);
        assertRefused(() -> f.service.pause(canceled), Code.JOB_NOT_ACTIVE);
        assertRefused(() -> f.service.resume(canceled), Code.JOB_NOT_ACTIVE);
        assertRefused(() -> f.service.cancel(completed), Code.JOB_NOT_ACTIVE);
        assertRefused(() -> f.service.pause(completed), Code.JOB_NOT_ACTIVE);
    }

    @Test
    void afterCancelReturnsNoDeviceGetsUpdateFirmware() {
        String job = f.create(request().devices(f.fleet(4, FROM)).rate(2).retry(3, Duration.ofMinutes(1)));
        f.planAndRun(job);
        f.fail(-1, "d01");
        f.clock.advance(Duration.ofMinutes(1).plus(RetryPolicy.DEVICE_FIRST));
        f.plan(job);
        assertThat(f.queue.pending())
                .as("a retry and a release are on their way")
                .extracting(m -> m.kind().name())
                .contains("DUE", "RELEASE");

        assertThat(f.service.cancel(job).state()).isEqualTo(JobStatus.CANCELED);
        f.runQueue();
        f.tickAndRun();
        f.clock.advance(Duration.ofMinutes(5));
        f.tickAndRun();

        assertThat(f.updated()).containsExactly("d01", "d02");
        assertThat(f.counts(job).get(ExecutionStatus.CANCELED)).isEqualTo(4);
        assertThat(f.jobs.isTakingLateDevices(job)).isFalse();
    }

    // ---- one device ----

    @Test
    void cancelingAQueuedDeviceTakesItOutOfTheRollout() {
        String job = f.create(request().devices(f.fleet(3, FROM)));

        DeviceExecutionView view = f.service.cancelDevice(job, "d02");
        f.planAndRun(job);

        assertThat(view.status()).isEqualTo(ExecutionStatus.CANCELED);
        assertThat(view.resultMsg()).isEqualTo("canceled by an operator");
        assertThat(f.updated()).containsExactly("d01", "d03");
        assertThat(f.counts(job).get(ExecutionStatus.CANCELED)).isEqualTo(1);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isZero();
    }

    @Test
    void cancelingALiveDeviceFreesIt() {
        String job = f.create(request().devices(f.fleet(2, FROM)));
        f.planAndRun(job);
        f.downloading("d01", 20);

        f.service.cancelDevice(job, "d01");

        assertThat(f.state("d01").liveExecution()).isEmpty();
        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.CANCELED);
        assertThat(f.counts(job).get(ExecutionStatus.DOWNLOADING)).isZero();
        assertThat(f.counts(job).get(ExecutionStatus.CANCELED)).isEqualTo(1);
        assertThat(f.counts(job).stage(0).canceled()).isEqualTo(1);
    }

    @Test
    void cancelingOneDeviceIsRefusedWhereItCannotApply() {
        String job = f.create(request().devices(f.fleet(2, FROM)));
        f.planAndRun(job);
        f.succeed("d01");

        assertRefused(() -> f.service.cancelDevice(job, "d01"), Code.CONFLICT);
        assertRefused(() -> f.service.cancelDevice(job, "d99"), Code.NOT_FOUND);
        assertRefused(() -> f.service.cancelDevice(job, "bad name"), Code.INVALID_REQUEST);
        assertRefused(() -> f.service.cancelDevice("no-such-job", "d01"), Code.NOT_FOUND);
    }

    @Test
    void retryingAFailedDeviceStartsAFreshAttemptAtOnce() {
        String job = f.create(request().devices(f.fleet(1, FROM)).retry(2, Duration.ZERO));
        f.planAndRun(job);
        f.fail(-2, "d01");
        assertThat(f.execution("d01").status()).isEqualTo(ExecutionStatus.FAILED);

        DeviceExecutionView view = f.service.retryDevice(job, "d01");

        assertThat(view.status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(view.attempt()).isEqualTo(1);
        assertThat(f.updated()).containsExactly("d01", "d01");
        assertThat(f.counts(job).get(ExecutionStatus.FAILED)).isZero();
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED)).isEqualTo(1);
        assertThat(f.counts(job).retries()).isEqualTo(1);
    }

    @Test
    void retryingAQueuedDeviceReleasesItNowInTheCurrentGroup() {
        String job = f.create(request().devices(f.fleet(3, FROM)).rate(1));

        f.service.retryDevice(job, "d03");

        assertThat(f.updated()).containsExactly("d03");
        assertThat(f.execution("d03").status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(2);
        assertThat(f.counts(job).retries()).as("its first attempt").isZero();
    }

    @Test
    void retryingADeviceCanceledWhileQueuedReleasesItInTheCurrentGroupAsAFirstAttempt() {
        String job =
                f.create(request().devices(f.fleet(5, FROM)).stages(group(2, 100, 0, 0, FailureAction.PAUSE), rest()));
        f.service.cancelDevice(job, "d05");
        assertThat(f.row(job, "d05").stage()).as("never released: in no group").isEqualTo(JobCounts.NO_STAGE);
        f.planAndRun(job);
        f.succeed("d01", "d02");
        f.planAndRun(job);
        assertThat(f.job(job).currentStage()).isEqualTo(1);

        f.service.retryDevice(job, "d05");

        assertThat(f.execution("d05").stage()).isEqualTo(1);
        assertThat(f.row(job, "d05").stage()).isEqualTo(1);
        JobCounts counts = f.counts(job);
        assertThat(counts.get(ExecutionStatus.CANCELED)).isZero();
        assertThat(counts.retries()).as("its first attempt").isZero();
        assertThat(counts.stage(0).entered()).as("the canary, d01 and d02").isEqualTo(2);
        assertThat(counts.stage(0).canceled()).isZero();
        assertThat(counts.stage(1).live()).as("d03, d04 and d05").isEqualTo(3);
        assertThat(f.updated()).containsExactly("d01", "d02", "d03", "d04", "d05");
    }

    @Test
    void aDeviceSkippedWhileAnotherJobHeldItCanBeRetriedOnceItIsFree() {
        f.fleet(1, FROM);
        f.holderOf("d01");
        String job = f.create(request().devices("d01"));
        f.planAndRun(job);
        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.SKIPPED);

        assertRefused(() -> f.service.retryDevice(job, "d01"), Code.CONFLICT);
        f.fail(-2, "d01");
        f.service.retryDevice(job, "d01");

        assertThat(f.execution("d01").jobId()).isEqualTo(job);
        assertThat(f.counts(job).get(ExecutionStatus.SKIPPED)).isZero();
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED)).isEqualTo(1);
        assertThat(f.counts(job).retries()).isZero();
    }

    @Test
    void retryingOneDeviceIsRefusedWhereItCannotApply() {
        f.fleet(3, FROM);
        f.device("d04", TARGET);
        String job = f.create(request().devices("d01", "d02", "d03", "d04"));
        f.planAndRun(job);
        f.succeed("d01");

        assertRefused(() -> f.service.retryDevice(job, "d01"), Code.CONFLICT);
        assertThat(f.row(job, "d04").resultMsg()).isEqualTo("already runs " + TARGET);
        assertRefused(() -> f.service.retryDevice(job, "d04"), Code.CONFLICT);
        f.service.pause(job);
        assertRefused(() -> f.service.retryDevice(job, "d02"), Code.JOB_NOT_ACTIVE);
        assertThat(f.updated()).containsExactly("d01", "d02", "d03");
    }

    // ---- recount ----

    @Test
    void recountFindsCountersThatDisagreeWithTheRowsAndRepairsThemOnlyWhenAsked() {
        String job = f.create(request().devices(f.fleet(3, FROM)));
        f.planAndRun(job);
        f.succeed("d01");
        assertThat(f.service.recount(job, false).differences()).as("consistent").isEmpty();

        f.jobs.corruptCount(job, ExecutionStatus.SUCCEEDED, 2);
        f.jobs.corruptCount(job, ExecutionStatus.DELIVERED, -1);

        JobOperations.Recount check = f.service.recount(job, false);
        assertThat(check.differences())
                .containsExactly("DELIVERED: counters 1, rows 2", "SUCCEEDED: counters 3, rows 1");
        assertThat(check.repaired()).isFalse();
        assertThat(f.counts(job).get(ExecutionStatus.SUCCEEDED))
                .as("a check changes nothing")
                .isEqualTo(3);

        JobOperations.Recount repair = f.service.recount(job, true);
        assertThat(repair.repaired()).isTrue();
        assertThat(f.counts(job).get(ExecutionStatus.SUCCEEDED)).isEqualTo(1);
        assertThat(f.counts(job).get(ExecutionStatus.DELIVERED)).isEqualTo(2);
        assertThat(f.service.recount(job, false).differences()).isEmpty();
    }

    @Test
    void aRepairIsRefusedWhileTheCountersMove() {
        String job = f.create(request().devices(f.fleet(2, FROM)));
        f.planAndRun(job);
        f.jobs.corruptCount(job, ExecutionStatus.FAILED, 1);
        // A device finishes while the rows are being counted.
        f.rollout.beforeNextRows(store -> f.succeed("d02"));

        assertRefused(() -> f.service.recount(job, true), Code.CONFLICT);
        assertThat(f.counts(job).get(ExecutionStatus.FAILED))
                .as("nothing repaired")
                .isEqualTo(1);
    }

    @Test
    void recountOfAnUnknownJobIsNotFound() {
        assertRefused(() -> f.service.recount("nope", false), Code.NOT_FOUND);
    }

    // ---- statistics and lists ----

    @Test
    void statisticsCountDevicesExactlyAndRetriesApart() {
        String job = f.create(request().devices(f.fleet(5, FROM)).rate(4).retry(3, Duration.ofHours(1)));
        f.planAndRun(job);
        f.succeed("d01");
        f.fail(-2, "d02");
        f.fail(-1, "d03");
        f.downloading("d04", 50);
        f.clock.advance(Duration.ofHours(1).plus(RetryPolicy.DEVICE_FIRST));
        f.planAndRun(job);

        JobStatistics stats = f.service.statistics(job);

        assertThat(stats.targetCount()).isEqualTo(5);
        assertThat(stats.succeeded()).isEqualTo(1);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.inProgress())
                .as("d03's second attempt, d04 downloading, d05 delivered")
                .isEqualTo(3);
        assertThat(stats.queued()).isZero();
        assertThat(stats.retries()).isEqualTo(1);
        assertThat(stats.counts().values().stream().mapToLong(Long::longValue).sum())
                .as("a retried device counts once")
                .isEqualTo(5);
    }

    @Test
    void theDeviceListIsPagedFilterableAndShowsTheLivePercent() {
        String job = f.create(request().devices(f.fleet(3, FROM)));
        f.planAndRun(job);
        f.downloading("d02", 10);
        f.downloading("d02", 40);

        Page<DeviceExecutionView> page1 = f.service.devices(job, null, null, 2);
        Page<DeviceExecutionView> page2 = f.service.devices(job, null, page1.nextToken(), 2);
        Page<DeviceExecutionView> downloading = f.service.devices(job, ExecutionStatus.DOWNLOADING, null, 10);

        assertThat(page1.items()).extracting(DeviceExecutionView::deviceName).containsExactly("d01", "d02");
        assertThat(page1.items().get(1).percent())
                .as("from the device item, not the row")
                .isEqualTo(40);
        assertThat(page2.items()).extracting(DeviceExecutionView::deviceName).containsExactly("d03");
        assertThat(page2.nextToken()).isNull();
        assertThat(downloading.items())
                .extracting(DeviceExecutionView::deviceName)
                .containsExactly("d02");
        assertRefused(() -> f.service.devices(job, null, null, 1001), Code.INVALID_REQUEST);
        assertRefused(() -> f.service.devices(job, null, "garbage", 2), Code.INVALID_REQUEST);
    }

    @Test
    void theDeviceViewShowsTheLiveExecution() {
        String job = f.create(request().devices(f.fleet(1, FROM)));
        f.planAndRun(job);

        DeviceView view = f.service.device(PRODUCT, "d01");

        assertThat(view.currentVersion()).isEqualTo(FROM);
        assertThat(view.liveExecution().jobId()).isEqualTo(job);
        assertThat(view.liveExecution().status()).isEqualTo(ExecutionStatus.DELIVERED);
        assertRefused(() -> f.service.device(PRODUCT, "nobody"), Code.NOT_FOUND);
        assertRefused(() -> f.service.device(PRODUCT, "bad name"), Code.INVALID_REQUEST);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.IN_PROGRESS);
    }
}
