package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.TARGET;
import static dev.ota.app.jobs.EngineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.DeviceState;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.WorkMessage;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.port.out.RolloutStore.RowView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** EXPAND: targets become QUEUED rows batch by batch, with a checkpoint each; counts stay exact through crashes, races and duplicates. */
class ExpanderTest {

    private static final String FILE = "device-lists/fleet.txt";

    /** One batch of {@code batch} lines per EXPAND message (no time budget) and one at creation. */
    private static EngineFixture oneBatchPerMessage(int batch) {
        return new EngineFixture(EngineFixture.tuning(batch, 200, 100, Duration.ZERO, Duration.ZERO));
    }

    /** One batch at creation; the worker then expands the rest in one go. */
    private static EngineFixture oneBatchAtCreation(int batch) {
        return new EngineFixture(EngineFixture.tuning(batch, 200, 100, Duration.ofHours(1), Duration.ZERO));
    }

    /**
     * A job of six names, two of them expanded at creation, that {@code operator} acts on before the
     * worker expands the rest; then one PLAN and everything it leads to.
     */
    private static String whileExpanding(EngineFixture f, java.util.function.Consumer<String> operator) {
        f.lists.put(FILE, "a\nb\nc\nd\ne\nf\n");
        String job = f.create(request().file(FILE));
        operator.accept(job);
        f.planAndRun(job);
        return job;
    }

    /** Handles the EXPAND chain on the queue until expansion asks for a PLAN (which is left on the queue). */
    private static void expandToTheEnd(EngineFixture f) {
        WorkMessage m;
        while ((m = f.queue.poll()) != null && m.kind() == WorkMessage.Kind.EXPAND) {
            f.engine.handle(m);
        }
        assertThat(m).isNotNull().extracting(WorkMessage::kind).isEqualTo(WorkMessage.Kind.PLAN);
    }

    @Test
    void anInlineListIsExpandedAtCreationInListOrder() {
        EngineFixture f = new EngineFixture();
        List<String> fleet = f.fleet(10, FROM);

        String job = f.create(request()
                .devices(fleet)
                .stages(
                        new Stage(null, 20, 100, 0, 0, FailureAction.PAUSE),
                        new Stage(null, null, 0, 0, 0, FailureAction.PAUSE)));

        JobRecord r = f.job(job);
        assertThat(r.expanded()).isTrue();
        assertThat(r.state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(r.stateReason()).isEqualTo("rolling out: 10 targets");
        assertThat(r.targetCount()).isEqualTo(10);
        assertThat(r.stageSizes()).containsExactly(2L, 8L);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(10);
        assertThat(f.rollout.nextQueued(job, 100))
                .extracting(q -> q.deviceName())
                .containsExactlyElementsOf(fleet);
        assertThat(f.rollout.seq(job, "d10")).isEqualTo(9);
    }

    @Test
    void aLargeTargetExpandsOneBatchPerMessageWithACheckpointEach() {
        EngineFixture f = oneBatchPerMessage(3);
        f.lists.put(FILE, "n1\nn2\nn3\nn4\nn5\nn6\nn7\n");
        String job = f.create(request().file(FILE));
        assertThat(f.job(job).state()).isEqualTo(JobStatus.PREPARING);
        assertThat(f.job(job).targetCount()).isEqualTo(3);
        f.plan(job);
        assertThat(f.queue.drain()).containsExactly(WorkMessage.expand(job));

        f.engine.handle(WorkMessage.expand(job));
        JobRecord checkpoint = f.job(job);
        assertThat(checkpoint.targetCount()).isEqualTo(6);
        assertThat(checkpoint.seqNext()).isEqualTo(6);
        assertThat(checkpoint.cursor()).isEqualTo("f:18:6");
        assertThat(checkpoint.expanded()).isFalse();
        assertThat(f.queue.drain()).as("it continues itself").containsExactly(WorkMessage.expand(job));

        f.engine.handle(WorkMessage.expand(job));
        assertThat(f.job(job).expanded()).isTrue();
        assertThat(f.job(job).state()).isEqualTo(JobStatus.IN_PROGRESS);
        assertThat(f.job(job).targetCount()).isEqualTo(7);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(7);
        assertThat(f.queue.drain()).as("done: the job is planned").containsExactly(WorkMessage.plan(job));
    }

    @Test
    void duplicateNamesAndInvalidLinesAreCountedApartAndQueuedOnce() {
        EngineFixture f = new EngineFixture(EngineFixture.UNHURRIED.withExpandBatch(2));
        f.lists.put(FILE, "a\nb\na\nbad name\nc\nb\ne\ne\n# comment\n\n");

        String job = f.create(request().file(FILE));

        JobRecord r = f.job(job);
        assertThat(r.targetCount()).isEqualTo(4);
        assertThat(r.duplicateNames()).isEqualTo(3);
        assertThat(r.invalidNames()).isEqualTo(1);
        assertThat(r.stateReason())
                .isEqualTo("rolling out: 4 targets, 1 invalid device names skipped, 3 duplicate names skipped");
        assertThat(f.rollout.rowsOf(job)).extracting(RowView::deviceName).containsExactly("a", "b", "c", "e");
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(4);
        assertThat(f.rollout.expansionMark(job, "a"))
                .as("a stays in the batch that first wrote it")
                .isZero();
    }

    @Test
    void aBatchWhoseCheckpointWasLostCountsOnceWhenItRunsAgain() {
        EngineFixture f = oneBatchPerMessage(2);
        f.lists.put(FILE, "a\nb\nc\nd\ne\n");
        String job = f.create(request().file(FILE));
        // The worker dies after writing batch [c, d], before its checkpoint.
        f.jobs.beforeNextUpdate(jobs -> {
            throw new IllegalStateException("worker died");
        });
        assertThatThrownBy(() -> f.engine.handle(WorkMessage.expand(job))).hasMessage("worker died");
        assertThat(f.rollout.rowsOf(job)).hasSize(4);
        assertThat(f.job(job).targetCount()).isEqualTo(2);

        f.engine.handle(WorkMessage.expand(job));
        expandToTheEnd(f);

        assertThat(f.job(job).targetCount()).isEqualTo(5);
        assertThat(f.job(job).duplicateNames()).isZero();
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(5);
        assertThat(f.job(job).state()).isEqualTo(JobStatus.IN_PROGRESS);
    }

    @Test
    void twoRunsRacingOnTheSameBatchCountItOnce() {
        EngineFixture f = oneBatchPerMessage(2);
        f.lists.put(FILE, "a\nb\nc\nd\ne\n");
        String job = f.create(request().file(FILE));
        // A duplicate EXPAND runs the same batch and checkpoints first.
        f.jobs.beforeNextUpdate(jobs -> f.engine.handle(WorkMessage.expand(job)));

        f.engine.handle(WorkMessage.expand(job));

        assertThat(f.job(job).targetCount()).isEqualTo(4);
        assertThat(f.queue.pending()).as("only the winner continues").containsExactly(WorkMessage.expand(job));
        expandToTheEnd(f);
        assertThat(f.job(job).targetCount()).isEqualTo(5);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(5);
    }

    @Test
    void anExpandDeliveredAfterTheEndChangesNothing() {
        EngineFixture f = new EngineFixture();
        String job = f.create(request().devices(f.fleet(3, FROM)));

        f.engine.handle(WorkMessage.expand(job));

        assertThat(f.job(job).targetCount()).isEqualTo(3);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(3);
        assertThat(f.queue.drain()).containsExactly(WorkMessage.plan(job));
    }

    @Test
    void sourceVersionsAreReadVersionByVersionPageByPage() {
        EngineFixture f = new EngineFixture(EngineFixture.UNHURRIED.withExpandBatch(2));
        List.of("a1", "a2", "a3").forEach(n -> f.device(n, FROM));
        List.of("b1", "b2").forEach(n -> f.device(n, "1.1.0"));
        f.device("t1", TARGET);
        f.device("z1", "0.9.0");

        String job = f.create(request().onVersions(FROM, "1.1.0"));

        assertThat(f.rollout.rowsOf(job)).extracting(RowView::deviceName).containsExactly("a1", "a2", "a3", "b1", "b2");
        assertThat(f.row(job, "b1").fromVersion()).isEqualTo("1.1.0");
        assertThat(f.job(job).targetCount()).isEqualTo(5);
        assertThat(f.directory.pages()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aProductTargetTakesEveryReportedDeviceButThoseOnTheTarget() {
        EngineFixture f = new EngineFixture(EngineFixture.UNHURRIED.withExpandBatch(2));
        f.device("a1", FROM);
        f.device("b1", "1.1.0");
        f.device("t1", TARGET);
        f.devices.put(new DeviceState(EngineFixture.id("silent"), null, null, null));

        String job = f.create(request().product());

        assertThat(f.rollout.rowsOf(job)).extracting(RowView::deviceName).containsExactly("a1", "b1");
    }

    @Test
    void aJobCanceledWhileExpandingStopsExpandingAndIsSwept() {
        EngineFixture f = oneBatchAtCreation(2);

        String job = whileExpanding(f, f.service::cancel);

        assertThat(f.job(job).expanded())
                .as("expansion stops: the canceled job has no more targets")
                .isTrue();
        assertThat(f.job(job).targetCount()).isEqualTo(2);
        assertThat(f.rollout.rowsOf(job))
                .extracting(RowView::status)
                .containsOnly(ExecutionStatus.CANCELED)
                .hasSize(2);
        assertThat(f.job(job).swept()).isTrue();
        assertThat(f.jobs.isLive(job)).isFalse();
    }

    @Test
    void aJobPausedWhileExpandingFinishesExpandingAndStaysPaused() {
        EngineFixture f = oneBatchAtCreation(2);

        String job = whileExpanding(f, f.service::pause);

        assertThat(f.job(job).state()).isEqualTo(JobStatus.PAUSED);
        assertThat(f.job(job).targetCount()).isEqualTo(6);
        assertThat(f.job(job).expanded()).isTrue();
        assertThat(f.updated()).isEmpty();
        assertThat(f.service.resume(job).state().name()).isEqualTo("IN_PROGRESS");
    }
}
