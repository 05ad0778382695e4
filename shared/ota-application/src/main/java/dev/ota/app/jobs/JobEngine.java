package dev.ota.app.jobs;

import dev.ota.app.UpdateSender;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobEvent;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.RolloutEvent;
import dev.ota.domain.job.WorkMessage;
import dev.ota.domain.rollout.ReleaseBudget;
import dev.ota.domain.rollout.StageCounts;
import dev.ota.domain.rollout.StageEvaluator;
import dev.ota.domain.rollout.StagePlan;
import dev.ota.domain.rollout.StageVerdict;
import dev.ota.log.StructuredLog;
import dev.ota.port.in.JobOperations;
import dev.ota.port.out.DeviceDirectory;
import dev.ota.port.out.DeviceListSource;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.RolloutEvents;
import dev.ota.port.out.RolloutMetrics;
import dev.ota.port.out.RolloutStore;
import dev.ota.port.out.RolloutStore.DueKind;
import dev.ota.port.out.RolloutStore.QueuedRef;
import dev.ota.port.out.ThingRegistry;
import dev.ota.port.out.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job scheduler. A scheduled function calls {@link #tick()} once a minute: it puts one PLAN
 * message per live job on the work queue. A queue-driven function calls {@link #handle} for each
 * message. No step depends on a long-running invocation: every one is bounded, idempotent, and
 * continues itself through the queue.
 *
 * <p>PLAN judges one job: schedule (start, end), stage thresholds, completion, and the rate. It
 * refills the job's token bucket, takes the next queued devices in queue order (at most what the
 * bucket and the current group allow), spends the tokens with a write conditional on the previous
 * plan (two overlapping PLANs cannot both spend), and only then sends RELEASE messages of
 * {@link EngineTuning#releaseChunk()} devices each, which Lambda runs in parallel.
 */
public final class JobEngine {

    private final JobRepository jobs;
    private final RolloutStore rollout;
    private final WorkQueue queue;
    private final Clock clock;
    private final EngineTuning tuning;
    private final StructuredLog log;
    private final Expander expander;
    private final Releaser releaser;
    private final DueWorker dueWorker;
    private final Sweeper sweeper;
    private final RolloutMetrics metrics;
    private final RolloutEvents events;
    private final UpdateSender updates;

    public JobEngine(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            DeviceDirectory directory,
            DeviceListSource lists,
            UpdateSender updates,
            WorkQueue queue,
            Clock clock,
            EngineTuning tuning,
            StructuredLog log) {
        this(
                jobs,
                rollout,
                devices,
                directory,
                lists,
                ThingRegistry.NONE,
                updates,
                queue,
                clock,
                tuning,
                log,
                RolloutMetrics.NONE,
                RolloutEvents.NONE);
    }

    /** With a thing registry, without metrics or events (tests). */
    public JobEngine(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            DeviceDirectory directory,
            DeviceListSource lists,
            ThingRegistry things,
            UpdateSender updates,
            WorkQueue queue,
            Clock clock,
            EngineTuning tuning,
            StructuredLog log) {
        this(
                jobs,
                rollout,
                devices,
                directory,
                lists,
                things,
                updates,
                queue,
                clock,
                tuning,
                log,
                RolloutMetrics.NONE,
                RolloutEvents.NONE);
    }

    /** @param things the AWS IoT registry, for thing-group and fleet-query targets (the job worker's engine) */
    public JobEngine(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            DeviceDirectory directory,
            DeviceListSource lists,
            ThingRegistry things,
            UpdateSender updates,
            WorkQueue queue,
            Clock clock,
            EngineTuning tuning,
            StructuredLog log,
            RolloutMetrics metrics,
            RolloutEvents events) {
        this.jobs = jobs;
        this.rollout = rollout;
        this.queue = queue;
        this.updates = updates;
        this.clock = clock;
        this.tuning = tuning;
        this.log = log;
        this.metrics = metrics;
        this.events = events;
        this.expander = new Expander(jobs, rollout, directory, lists, things, clock, tuning, log);
        this.releaser = new Releaser(jobs, rollout, devices, updates, clock, log, metrics);
        this.dueWorker = new DueWorker(jobs, rollout, devices, updates, clock, tuning, log, metrics);
        this.sweeper = new Sweeper(jobs, rollout, devices, clock, tuning, log);
    }

    /** Why an update of {@code firmware} cannot reach the fleet's devices, or empty (see {@link UpdateSender}). */
    public Optional<String> updateViolation(FirmwareRef firmware) {
        return updates.violation(firmware);
    }

    /** The scheduled entry point: one PLAN per live job. */
    public int tick() {
        List<String> live = jobs.liveJobIds();
        if (!live.isEmpty()) {
            queue.send(live.stream().map(WorkMessage::plan).toList());
        }
        log.info("tick", "liveJobs", live.size());
        return live.size();
    }

    /** The queue's entry point. */
    public void handle(WorkMessage message) {
        switch (message.kind()) {
            case PLAN -> plan(message.jobId());
            case EXPAND -> {
                Expander.Result r = expander.run(message.jobId(), tuning.workBudget(), true);
                if (!r.lostRace()) {
                    queue.send(List.of(
                            r.done() ? WorkMessage.plan(message.jobId()) : WorkMessage.expand(message.jobId())));
                }
            }
            case RELEASE -> releaser.release(message.jobId(), message.stage(), message.fromSeq(), message.toSeq());
            case DUE -> {
                DueKind kind = DueKind.valueOf(message.scope());
                if (dueWorker.run(message.jobId(), kind).more()) {
                    queue.send(List.of(WorkMessage.due(message.jobId(), kind.name())));
                }
            }
            case SWEEP -> {
                Sweeper.Result r = sweeper.run(message.jobId(), message.scope());
                queue.send(List.of(
                        r.more()
                                ? WorkMessage.sweep(message.jobId(), message.scope())
                                : WorkMessage.plan(message.jobId())));
            }
        }
    }

    /** Expands targets in the caller's invocation (job creation), for at most {@code tuning.inlineExpansion()}. */
    boolean expandInline(String jobId) {
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job != null
                && job.definition() != null
                && job.definition().targetType().fromIotRegistry()) {
            // Only the job worker reads the AWS IoT registry; its next PLAN expands the job.
            return false;
        }
        return expander.run(jobId, tuning.inlineExpansion(), false).done();
    }

    /** What a job of {@code def} would target now (a dry run of its expansion; nothing is written). */
    public JobOperations.TargetCount countTargets(JobDefinition def) {
        return expander.count(def);
    }

    /** Rows deleted per step of a job's deletion (a Query page of keys, then BatchWriteItem deletes). */
    static final int DELETE_BATCH = 500;

    /**
     * Deletes a job in DELETION_IN_PROGRESS in the caller's invocation, for at most
     * {@code tuning.inlineExpansion()}: its execution rows, then the job item and its counters.
     * What is left the scheduler finishes (the job is live until it is gone).
     *
     * @return true when the job is gone
     */
    public boolean deleteInline(String jobId) {
        return deleteStep(jobId, tuning.inlineExpansion());
    }

    private boolean deleteStep(String jobId, Duration budget) {
        long deadline = EngineTuning.deadline(budget);
        long deleted = 0;
        do {
            int n = rollout.deleteRows(jobId, DELETE_BATCH);
            deleted += n;
            if (n == 0) {
                if (jobs.delete(jobId)) {
                    log.info("job_deleted", "jobId", jobId, "rowsDeleted", deleted);
                }
                return true;
            }
        } while (EngineTuning.before(deadline));
        log.info("job_deletion_progress", "jobId", jobId, "rowsDeleted", deleted);
        return false;
    }

    /**
     * Rolls a job just created out within the caller's invocation, as far as its rate and stages
     * allow now: expands its targets (for up to {@code tuning.workBudget()}: the caller waits for the
     * answer), then plans it once and runs that plan's RELEASE chunks here instead of on the queue.
     * What is left, and everything after (timeouts, retries, completion), the scheduler does as for
     * any job: its next tick plans the job again.
     *
     * @param names the job's device list when it is not stored with the job (a list longer than
     *     {@link dev.ota.domain.job.JobDefinition#MAX_INLINE_DEVICES} does not fit on the job item), else null
     */
    public ReleasedNow rollOutNow(String jobId, List<String> names) {
        expander.run(jobId, tuning.workBudget(), false, names);
        List<WorkMessage> work = new ArrayList<>();
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job != null && job.definition() != null) {
            planJob(job, clock.instant(), work);
        }
        List<String> delivered = new ArrayList<>();
        Map<String, ReleasedNow.Skip> skipped = new LinkedHashMap<>();
        for (WorkMessage m : work) {
            // Other work (a job just created has none) waits for the next tick, whose PLAN asks for it again.
            if (m.kind() == WorkMessage.Kind.RELEASE) {
                Releaser.Result r = releaser.release(m.jobId(), m.stage(), m.fromSeq(), m.toSeq());
                delivered.addAll(r.released());
                skipped.putAll(r.skipped());
            }
        }
        if (delivered.isEmpty()) {
            // Every device skipped (held by another job, already on the target): nothing is left to
            // wait for, so the job completes now rather than at the next tick.
            JobRecord after = jobs.find(jobId).orElse(null);
            if (after != null && after.definition() != null && after.state() == JobStatus.IN_PROGRESS) {
                completeIfFinished(after, jobs.counts(jobId));
            }
        }
        return new ReleasedNow(delivered, skipped);
    }

    // ---------------------------------------------------------------------------------------
    // PLAN
    // ---------------------------------------------------------------------------------------

    void plan(String jobId) {
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job == null) {
            return;
        }
        if (job.definition() == null && !job.state().ended()) {
            completeDirectJob(job);
            return;
        }
        Instant now = clock.instant();
        List<WorkMessage> work = new ArrayList<>();
        try {
            planJob(job, now, work);
        } finally {
            if (!work.isEmpty()) {
                queue.send(work);
            }
        }
    }

    private void planJob(JobRecord job, Instant now, List<WorkMessage> work) {
        String jobId = job.jobId();
        if (job.state() == JobStatus.DELETION_IN_PROGRESS) {
            // A deletion is one more bounded step that continues itself through the queue.
            if (!deleteStep(jobId, tuning.workBudget())) {
                work.add(WorkMessage.plan(jobId));
            }
            return;
        }
        if (!job.expanded()) {
            Instant beat = job.expansionHeartbeat();
            if (beat == null || beat.plus(tuning.expansionStaleAfter()).isBefore(now)) {
                work.add(WorkMessage.expand(jobId));
            }
            return;
        }
        JobDefinition def = job.definition();
        if (def == null) {
            // A canceled job item the update-devices function wrote before its jobs went through the
            // engine (no definition): its devices are swept free like any other's.
            if ((job.state() == JobStatus.CANCELED || job.state() == JobStatus.ABORTED)) {
                JobCounts counts = jobs.counts(jobId);
                if (counts.get(ExecutionStatus.QUEUED) + counts.live() > 0) {
                    work.add(WorkMessage.sweep(jobId, Sweeper.ALL));
                    return;
                }
            }
            jobs.update(jobId, JobPatch.patch().live(false));
            return;
        }
        switch (job.state()) {
            case PREPARING -> {
                // Expansion finished but its state change was lost (the function stopped in between).
                JobStatus next = def.window().started(now) ? JobStatus.IN_PROGRESS : JobStatus.SCHEDULED;
                if (jobs.update(
                        jobId,
                        JobPatch.patch()
                                .ifStateIn(JobStatus.PREPARING)
                                .state(next, "rolling out")
                                .event(JobEvent.of(JobEvent.Kind.STARTED, now, null, "rolling out"), job))) {
                    work.add(WorkMessage.plan(jobId));
                }
                return;
            }
            case CANCELED, ABORTED -> {
                JobCounts counts = jobs.counts(jobId);
                if (counts.get(ExecutionStatus.QUEUED) + counts.live() > 0) {
                    work.add(WorkMessage.sweep(jobId, Sweeper.ALL));
                } else if (!job.swept()) {
                    jobs.update(jobId, JobPatch.patch().swept(true).live(false).dynamicActive(false));
                    log.info("job_swept", "jobId", jobId, "state", job.state());
                }
                return;
            }
            case COMPLETED -> {
                jobs.update(jobId, JobPatch.patch().live(false).dynamicActive(false));
                return;
            }
            case SCHEDULED -> {
                if (!def.window().started(now)) {
                    return;
                }
                if (!jobs.update(
                        jobId,
                        JobPatch.patch()
                                .ifStateIn(JobStatus.SCHEDULED)
                                .state(JobStatus.IN_PROGRESS, "started at " + now)
                                .event(JobEvent.of(JobEvent.Kind.STARTED, now, null, "scheduled start"), job))) {
                    return;
                }
                job = jobs.find(jobId).orElseThrow();
            }
            default -> {
                // IN_PROGRESS or PAUSED: go on below
            }
        }
        JobCounts counts = jobs.counts(jobId);
        metrics.jobProgress(jobId, counts.percentFinished());
        // Attempts past their in-progress timeout, or quiet (Execution#quietAt): one index read.
        if (!rollout.due(jobId, DueKind.TIMEOUT, now, 1).isEmpty()) {
            work.add(WorkMessage.due(jobId, DueKind.TIMEOUT.name()));
        }
        if (def.window().ended(now) && !job.windowEnded()) {
            String reason =
                    "ended at " + def.window().endAt() + ": no more devices are released, queued ones are canceled";
            // Conditional on the state read: an operator's cancel or pause in between must not be undone.
            if (jobs.update(
                    jobId,
                    JobPatch.patch()
                            .ifStateIn(job.state())
                            .windowEnded(true)
                            .dynamicActive(false)
                            .state(job.state(), reason))) {
                log.info("job_window_ended", "jobId", jobId);
            }
            job = jobs.find(jobId).orElseThrow();
        }
        if (job.windowEnded() && counts.get(ExecutionStatus.QUEUED) > 0) {
            work.add(WorkMessage.sweep(jobId, Sweeper.QUEUED));
        }
        if (job.state() != JobStatus.IN_PROGRESS) {
            return;
        }
        if (!rollout.due(jobId, DueKind.RETRY, now, 1).isEmpty()) {
            work.add(WorkMessage.due(jobId, DueKind.RETRY.name()));
        }
        if (completeIfFinished(job, counts)) {
            return;
        }
        if (job.windowEnded()) {
            return;
        }
        release(job, counts, now, work);
    }

    /**
     * A static job (or a dynamic one past its end) whose every device finished (none queued, none
     * live: a job whose every device was skipped too) becomes COMPLETED.
     *
     * @return true when the job has finished (completed now, or by a concurrent run)
     */
    private boolean completeIfFinished(JobRecord job, JobCounts counts) {
        JobDefinition def = job.definition();
        if ((def.dynamic() && !job.windowEnded()) || counts.get(ExecutionStatus.QUEUED) > 0 || counts.live() > 0) {
            return false;
        }
        if (jobs.update(
                job.jobId(),
                JobPatch.patch()
                        .ifStateIn(JobStatus.IN_PROGRESS)
                        .state(JobStatus.COMPLETED, "every device finished")
                        .live(false)
                        .dynamicActive(false)
                        .event(
                                JobEvent.of(
                                        JobEvent.Kind.COMPLETED,
                                        clock.instant(),
                                        null,
                                        counts.get(ExecutionStatus.SUCCEEDED) + " of " + job.targetCount()
                                                + " succeeded"),
                                job))) {
            log.info("job_completed", "jobId", job.jobId(), "counts", counts.ordered());
            events.publish(RolloutEvent.completed(job.jobId(), counts.ordered()));
        }
        return true;
    }

    /**
     * A job item the update-devices function wrote before its jobs went through the engine (no
     * definition): it sent everything at creation; it completes when every device finished.
     */
    private void completeDirectJob(JobRecord job) {
        JobCounts counts = jobs.counts(job.jobId());
        if (job.state() == JobStatus.IN_PROGRESS && counts.get(ExecutionStatus.QUEUED) == 0 && counts.live() == 0) {
            jobs.update(
                    job.jobId(),
                    JobPatch.patch()
                            .ifStateIn(JobStatus.IN_PROGRESS)
                            .state(JobStatus.COMPLETED, "every device finished")
                            .live(false));
        }
    }

    /** Stage thresholds, then the rate: plans the next RELEASE chunks. */
    private void release(JobRecord job, JobCounts counts, Instant now, List<WorkMessage> work) {
        String jobId = job.jobId();
        StagePlan plan = job.stagePlan();
        int stage = job.currentStage();
        long queued = counts.get(ExecutionStatus.QUEUED);
        while (true) {
            StageCounts inStage = counts.stage(stage);
            boolean fullyReleased = inStage.entered() >= plan.size(stage) || queued == 0;
            StageVerdict verdict =
                    StageEvaluator.evaluate(plan, stage, inStage, fullyReleased, job.resumedStage() == stage);
            if (verdict instanceof StageVerdict.Pause p) {
                if (jobs.update(
                        jobId,
                        JobPatch.patch()
                                .ifStateIn(JobStatus.IN_PROGRESS)
                                .ifCurrentStage(stage)
                                .state(JobStatus.PAUSED, p.reason())
                                .pausedByRule(true)
                                .event(
                                        JobEvent.of(
                                                JobEvent.Kind.PAUSED,
                                                now,
                                                null,
                                                "by the threshold of stage " + (stage + 1) + ": " + p.reason()),
                                        job))) {
                    log.warn("job_paused", "jobId", jobId, "stage", stage, "reason", p.reason());
                    metrics.jobStoppedByThreshold(jobId);
                    events.publish(RolloutEvent.pausedByThreshold(jobId, stage, p.reason()));
                }
                return;
            }
            if (verdict instanceof StageVerdict.Abort a) {
                if (jobs.update(
                        jobId,
                        JobPatch.patch()
                                .ifStateIn(JobStatus.IN_PROGRESS)
                                .ifCurrentStage(stage)
                                .state(JobStatus.ABORTED, a.reason())
                                .dynamicActive(false)
                                .event(
                                        JobEvent.of(
                                                JobEvent.Kind.ABORTED,
                                                now,
                                                null,
                                                "by the threshold of stage " + (stage + 1) + ": " + a.reason()),
                                        job))) {
                    log.warn("job_aborted", "jobId", jobId, "stage", stage, "reason", a.reason());
                    metrics.jobStoppedByThreshold(jobId);
                    events.publish(RolloutEvent.aborted(jobId, stage, a.reason()));
                    work.add(WorkMessage.sweep(jobId, Sweeper.ALL));
                }
                return;
            }
            if (verdict instanceof StageVerdict.Advance adv) {
                if (!jobs.update(
                        jobId,
                        JobPatch.patch()
                                .ifStateIn(JobStatus.IN_PROGRESS)
                                .ifCurrentStage(stage)
                                .currentStage(stage + 1)
                                .state(JobStatus.IN_PROGRESS, adv.reason())
                                .event(
                                        JobEvent.of(
                                                JobEvent.Kind.STAGE_RELEASED,
                                                now,
                                                null,
                                                "stage " + (stage + 2) + ": " + adv.reason()),
                                        job))) {
                    return;
                }
                log.info("job_stage_advanced", "jobId", jobId, "to", stage + 1, "reason", adv.reason());
                events.publish(RolloutEvent.stageStarted(jobId, stage + 1, adv.reason()));
                stage++;
                continue;
            }
            break;
        }
        if (queued == 0) {
            // Nothing to release, so no tokens to spend: no write (a job whose devices are all in
            // flight, like most jobs of the update-devices function, costs each tick only reads).
            return;
        }
        int rate = job.definition().rate().perMinute(counts.get(ExecutionStatus.SUCCEEDED));
        ReleaseBudget budget = job.budget() == null
                ? ReleaseBudget.full(rate, now)
                : job.budget().refill(now, rate);
        long roomInStage = Math.max(0, plan.size(stage) - counts.stage(stage).entered());
        int want = (int) Math.min(Math.min(budget.available(), roomInStage), Math.min(queued, tuning.maxPlanned()));
        List<QueuedRef> next = want > 0 ? rollout.nextQueued(jobId, want) : List.of();
        if (!jobs.update(
                jobId,
                JobPatch.patch()
                        .ifPlanAt(job.planAt())
                        .ifStateIn(JobStatus.IN_PROGRESS)
                        .planAt(now)
                        .budget(budget.spend(next.size())))) {
            log.info("plan_lost_race", "jobId", jobId);
            return;
        }
        for (int i = 0; i < next.size(); i += tuning.releaseChunk()) {
            List<QueuedRef> chunk = next.subList(i, Math.min(next.size(), i + tuning.releaseChunk()));
            work.add(WorkMessage.release(
                    jobId,
                    stage,
                    chunk.get(0).seq(),
                    chunk.get(chunk.size() - 1).seq()));
        }
        log.info(
                "plan",
                "jobId",
                jobId,
                "stage",
                stage,
                "rate",
                rate,
                "planned",
                next.size(),
                "tokensLeft",
                budget.available() - next.size(),
                "queued",
                queued);
    }
}
