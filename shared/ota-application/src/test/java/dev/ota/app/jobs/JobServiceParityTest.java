package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.group;
import static dev.ota.app.jobs.EngineFixture.request;
import static dev.ota.app.jobs.EngineFixture.rest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.OperatorException;
import dev.ota.domain.OperatorException.Code;
import dev.ota.domain.Page;
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import dev.ota.port.in.JobOperations.JobView;
import dev.ota.port.in.JobOperations.Retry;
import dev.ota.port.in.JobOperations.Rollout;
import dev.ota.port.in.JobOperations.StageUpdate;
import dev.ota.port.in.JobOperations.UpdateJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The operations that match AWS IoT Jobs': update, delete, idempotent create, a device's history. */
class JobServiceParityTest {

    private final EngineFixture f = new EngineFixture();

    private static void assertRefused(ThrowingCallable call, Code code) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        OperatorException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static UpdateJob rate(int perMinute) {
        return new UpdateJob(new Rollout(perMinute, null, null, null), null, null, null, null);
    }

    // ---- update ----

    @Test
    void anUpdateChangesRateThresholdsTimeoutRetriesAndDescriptionAndNothingElse() {
        String job = f.create(
                request().devices(f.fleet(4, FROM)).rate(1).stages(group(2, 100, 50, 1, FailureAction.PAUSE), rest()));
        CreateJob before = f.service.describe(job).definition();

        JobView after = f.service.update(
                job,
                new UpdateJob(
                        new Rollout(30, null, null, null),
                        List.of(
                                new StageUpdate(null, 20, 2, FailureAction.ABORT),
                                new StageUpdate(null, null, null, null)),
                        Duration.ofMinutes(10),
                        new Retry(3, List.of(-1), Duration.ofSeconds(30)),
                        "faster"));

        CreateJob d = after.definition();
        assertThat(d.rollout().ratePerMinute()).isEqualTo(30);
        assertThat(d.stages().get(0).failureThresholdPercent()).isEqualTo(20);
        assertThat(d.stages().get(0).minDevicesForFailure()).isEqualTo(2);
        assertThat(d.stages().get(0).onFailure()).isEqualTo(FailureAction.ABORT);
        assertThat(d.stages().get(0).successThresholdPercent())
                .as("left out: kept")
                .isEqualTo(100);
        assertThat(d.stages().get(0).deviceCount()).isEqualTo(2);
        assertThat(d.stages().get(1)).isEqualTo(before.stages().get(1));
        assertThat(d.inProgressTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(d.retry().maxAttempts()).isEqualTo(3);
        assertThat(d.description()).isEqualTo("faster");
        assertThat(d.targets()).isEqualTo(before.targets());
        assertThat(after.state()).isEqualTo(JobStatus.IN_PROGRESS);
    }

    @Test
    void theNewRateAndTimeoutApplyToTheNextRelease() {
        String job = f.create(request().devices(f.fleet(10, FROM)).rate(1));
        f.planAndRun(job);
        assertThat(f.updated()).hasSize(1);

        f.service.update(
                job, new UpdateJob(new Rollout(100, null, null, null), null, Duration.ofMinutes(5), null, null));
        f.clock.advance(Duration.ofMinutes(1));
        f.planAndRun(job);

        assertThat(f.updated()).as("the raised rate released the rest").hasSize(10);
        assertThat(f.rollout.dueAt(job, "d10"))
                .as("released after the update: the new timeout")
                .isEqualTo(f.clock.instant().plus(Duration.ofMinutes(5)));
    }

    @Test
    void anUpdateOfAnEndedJobIsRefusedAndChangesNothing() {
        f.fleet(1, FROM);
        String completed = f.completedJob("d01");
        CreateJob before = f.service.describe(completed).definition();

        assertRefused(() -> f.service.update(completed, rate(5)), Code.JOB_NOT_ACTIVE);
        assertThat(f.service.describe(completed).definition()).isEqualTo(before);
    }

    @Test
    void aBadUpdateIsInvalid() {
        String job =
                f.create(request().devices(f.fleet(2, FROM)).stages(group(1, 100, 0, 1, FailureAction.PAUSE), rest()));

        assertRefused(() -> f.service.update(job, new UpdateJob(null, null, null, null, null)), Code.INVALID_REQUEST);
        assertRefused(
                () -> f.service.update(
                        job, new UpdateJob(null, List.of(new StageUpdate(1, 1, 1, null)), null, null, null)),
                Code.INVALID_REQUEST);
        assertRefused(
                () -> f.service.update(job, new UpdateJob(null, null, Duration.ofSeconds(59), null, null)),
                Code.INVALID_REQUEST);
        assertRefused(() -> f.service.update(job, rate(0)), Code.INVALID_REQUEST);
        assertRefused(() -> f.service.update("no-such-job", rate(5)), Code.NOT_FOUND);
    }

    @Test
    void anUpdateRacingAnotherKeepsBoth() {
        String job = f.create(request().devices(f.fleet(2, FROM)).rate(1));
        f.jobs.beforeNextUpdate(jobs -> f.service.update(job, new UpdateJob(null, null, null, null, "theirs")));

        JobView after = f.service.update(job, rate(7));

        assertThat(after.definition().description())
                .as("the other update's change")
                .isEqualTo("theirs");
        assertThat(after.definition().rollout().ratePerMinute()).isEqualTo(7);
    }

    // ---- delete ----

    @Test
    void aCompletedJobIsDeletedWithItsRows() {
        f.fleet(2, FROM);
        String job = f.completedJob("d01", "d02");

        assertThat(f.service.delete(job)).isEmpty();

        assertRefused(() -> f.service.describe(job), Code.NOT_FOUND);
        assertThat(f.rollout.rowsOf(job)).isEmpty();
        assertThat(f.jobs.liveJobIds()).doesNotContain(job);
        assertThat(f.service
                        .deviceHistory(EngineFixture.PRODUCT, "d01", null, 10)
                        .items())
                .isEmpty();
        assertRefused(() -> f.service.delete(job), Code.NOT_FOUND);
    }

    @Test
    void aJobThatHasNotFinishedIsNotDeleted() {
        String running = f.create(request().devices(f.fleet(3, FROM)).rate(1));
        f.planAndRun(running);

        assertRefused(() -> f.service.delete(running), Code.JOB_NOT_FINISHED);

        f.service.cancel(running);
        assertRefused(() -> f.service.delete(running), Code.JOB_NOT_FINISHED);
        assertThat(f.rollout.rowsOf(running)).as("nothing deleted").hasSize(3);

        f.runQueue();
        f.tickAndRun();
        assertThat(f.counts(running).get(ExecutionStatus.CANCELED)).isEqualTo(3);
        assertThat(f.service.delete(running)).as("swept: finished").isEmpty();
        assertThat(f.rollout.rowsOf(running)).isEmpty();
    }

    @Test
    void aDeletionLargerThanItsInlineBudgetIsFinishedByTheScheduler() {
        EngineFixture slow =
                new EngineFixture(EngineFixture.tuning(1000, 200, 100, Duration.ofHours(1), Duration.ZERO));
        List<String> names = slow.fleet(JobEngine.DELETE_BATCH + 20, FROM);
        String job = slow.create(request().devices(names).rate(1));
        slow.runQueue();
        slow.tickAndRun();
        slow.service.cancel(job);
        slow.runQueue();
        slow.tickAndRun();
        slow.tickAndRun();

        JobView deleting = slow.service.delete(job).orElseThrow();

        assertThat(deleting.state()).isEqualTo(JobStatus.DELETION_IN_PROGRESS);
        assertThat(slow.rollout.rowsOf(job)).hasSize(names.size() - JobEngine.DELETE_BATCH);
        assertThat(slow.service.delete(job)).as("repeated: the next step").isPresent();
        slow.tickAndRun();
        assertRefused(() -> slow.service.describe(job), Code.NOT_FOUND);
        assertThat(slow.rollout.rowsOf(job)).isEmpty();
    }

    // ---- client token ----

    @Test
    void theSameRequestWithTheSameTokenAnswersTheSameJob() {
        f.fleet(2, FROM);
        CreateJob request = request().devices("d01", "d02").rate(5).build();

        JobView first = f.service.create(request, "tok-1");
        JobView again = f.service.create(request, "tok-1");

        assertThat(again.jobId()).isEqualTo(first.jobId());
        assertThat(f.jobs.all()).hasSize(1);
        assertThat(f.service.create(request, "tok-2").jobId())
                .as("another token: another job")
                .isNotEqualTo(first.jobId());
    }

    @Test
    void anotherRequestWithAHeldTokenIsRefusedUntilTheTokenExpires() {
        f.fleet(2, FROM);
        String first = f.service.create(request().devices("d01").build(), "tok").jobId();

        assertRefused(() -> f.service.create(request().devices("d02").build(), "tok"), Code.CLIENT_TOKEN_REUSED);
        assertThat(f.jobs.all()).hasSize(1);

        f.clock.advance(ClientToken.VALIDITY);
        String second =
                f.service.create(request().devices("d02").build(), "tok").jobId();
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void aMalformedTokenIsInvalid() {
        f.fleet(1, FROM);
        assertRefused(() -> f.service.create(request().devices("d01").build(), "a b"), Code.INVALID_REQUEST);
        assertRefused(
                () -> f.service.create(request().devices("d01").build(), "x".repeat(ClientToken.MAX_LENGTH + 1)),
                Code.INVALID_REQUEST);
        assertThat(f.jobs.all()).isEmpty();
    }

    // ---- a device's history ----

    @Test
    void aDevicesHistoryListsItsExecutionsNewestJobFirstPageByPage() {
        f.fleet(3, FROM);
        String older = f.completedJob("d01", "d02");
        f.clock.advance(Duration.ofMinutes(1));
        String other = f.create(request().devices("d02", "d03"));
        f.clock.advance(Duration.ofMinutes(1));
        String newer = f.create(request().devices("d01", "d03"));

        List<DeviceExecutionView> all =
                f.service.deviceHistory(EngineFixture.PRODUCT, "d01", null, 10).items();
        assertThat(all).extracting(DeviceExecutionView::jobId).containsExactly(newer, older);
        assertThat(all.get(1).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(all).allSatisfy(e -> assertThat(e.deviceName()).isEqualTo("d01"));

        List<String> paged = new ArrayList<>();
        String token = null;
        do {
            Page<DeviceExecutionView> page = f.service.deviceHistory(EngineFixture.PRODUCT, "d01", token, 1);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(1);
            page.items().forEach(e -> paged.add(e.jobId()));
            token = page.nextToken();
        } while (token != null);
        assertThat(paged).containsExactly(newer, older).doesNotContain(other);
    }

    @Test
    void aHistoryOfABadNameOrLimitIsInvalid() {
        assertRefused(() -> f.service.deviceHistory(EngineFixture.PRODUCT, "a/b", null, 10), Code.INVALID_REQUEST);
        assertRefused(() -> f.service.deviceHistory(EngineFixture.PRODUCT, "d01", null, 0), Code.INVALID_REQUEST);
        assertThat(f.service
                        .deviceHistory(EngineFixture.PRODUCT, "never-targeted", null, 10)
                        .items())
                .isEmpty();
    }
}
