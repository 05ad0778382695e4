package dev.ota.app.jobs;

import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobEvent;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.StagePlan;
import dev.ota.log.StructuredLog;
import dev.ota.port.in.JobOperations.TargetCount;
import dev.ota.port.out.DeviceDirectory;
import dev.ota.port.out.DeviceListSource;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.RolloutStore;
import dev.ota.port.out.RolloutStore.QueuedDevice;
import dev.ota.port.out.ThingRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a job's targets into QUEUED execution rows, batch by batch, with a checkpoint on the job
 * after each batch: memory holds one batch, and the work resumes in the next invocation wherever
 * this one stopped.
 *
 * <p>Counts stay exact without a conditional write per row. Each row carries its batch's mark (the
 * queue position the batch starts at). Before writing a batch, its rows are read back in bulk: a
 * row with another mark is a duplicate target (the name came earlier in the file, or the device
 * changed version between two pages) and is neither written nor counted; a row with this batch's
 * mark was written by an interrupted run of the same batch and counts again, because that run's
 * checkpoint never happened. The checkpoint is conditional on the cursor it started from, so of
 * two runs racing on one batch exactly one counts it.
 */
final class Expander {

    /** What one call did. */
    record Result(boolean done, boolean lostRace, long rows) {}

    private final JobRepository jobs;
    private final RolloutStore rollout;
    private final DeviceDirectory directory;
    private final DeviceListSource lists;
    private final ThingRegistry things;
    private final Clock clock;
    private final EngineTuning tuning;
    private final StructuredLog log;

    Expander(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceDirectory directory,
            DeviceListSource lists,
            ThingRegistry things,
            Clock clock,
            EngineTuning tuning,
            StructuredLog log) {
        this.jobs = jobs;
        this.rollout = rollout;
        this.directory = directory;
        this.lists = lists;
        this.things = things;
        this.clock = clock;
        this.tuning = tuning;
        this.log = log;
    }

    /**
     * Expands until done or {@code budget} is spent.
     *
     * @param chained a continuation message will follow if this does not finish; when false (job
     *     creation expanding inline) the heartbeat is left stale so the next PLAN takes over at once
     */
    Result run(String jobId, Duration budget, boolean chained) {
        return run(jobId, budget, chained, null);
    }

    /** The same, reading the device names from {@code names} when they are not stored with the job (null: they are). */
    Result run(String jobId, Duration budget, boolean chained, List<String> names) {
        long deadline = EngineTuning.deadline(budget);
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job == null || job.expanded() || job.definition() == null) {
            return new Result(true, false, 0);
        }
        if (job.state() == JobStatus.CANCELED || job.state() == JobStatus.ABORTED) {
            // Whatever the last checkpoint counted is all this job will have.
            boolean ok =
                    jobs.update(jobId, JobPatch.patch().ifCursor(job.cursor()).expanded(true));
            return new Result(true, !ok, 0);
        }
        String cursor = job.cursor();
        long seq = job.seqNext();
        long targets = job.targetCount();
        long total = 0;
        long invalid = job.invalidNames();
        long duplicates = job.duplicateNames();
        try (TargetReader reader = names != null
                ? TargetReader.list(names, cursor)
                : TargetReader.open(job.definition(), cursor, directory, lists, things)) {
            while (true) {
                TargetReader.Batch batch = reader.next(tuning.expandBatch());
                long base = seq;
                Map<String, TargetReader.Candidate> unique = new LinkedHashMap<>();
                long batchDuplicates = 0;
                for (TargetReader.Candidate c : batch.candidates()) {
                    if (unique.putIfAbsent(c.deviceName(), c) != null) {
                        batchDuplicates++;
                    }
                }
                Map<String, Long> marks = unique.isEmpty() ? Map.of() : rollout.expansionMarks(jobId, unique.keySet());
                List<QueuedDevice> rows = new ArrayList<>();
                long position = base;
                for (TargetReader.Candidate c : unique.values()) {
                    Long mark = marks.get(c.deviceName());
                    if (mark == null || mark == base) {
                        rows.add(new QueuedDevice(c.deviceName(), position, c.fromVersion()));
                    } else {
                        batchDuplicates++;
                    }
                    position++;
                }
                if (!rows.isEmpty()) {
                    rollout.putQueued(jobId, job.productId(), job.targetVersion(), base, rows, clock.instant());
                }
                Instant now = clock.instant();
                boolean done = batch.exhausted();
                boolean outOfTime = !EngineTuning.before(deadline);
                JobPatch checkpoint = JobPatch.patch()
                        .ifCursor(cursor)
                        .cursor(batch.cursor())
                        .seqNext(position)
                        .heartbeat(!chained && (outOfTime || done) ? Instant.EPOCH : now)
                        .addExpanded(rows.size(), batch.invalid(), batchDuplicates);
                if (done) {
                    checkpoint
                            .expanded(true)
                            .stageSizes(StagePlan.of(job.definition().stages(), targets + rows.size())
                                    .sizes());
                }
                if (!jobs.update(jobId, checkpoint)) {
                    log.info("expansion_lost_race", "jobId", jobId, "cursor", cursor);
                    return new Result(false, true, total);
                }
                cursor = batch.cursor();
                seq = position;
                targets += rows.size();
                total += rows.size();
                invalid += batch.invalid();
                duplicates += batchDuplicates;
                if (done) {
                    finish(jobId, job, targets, invalid, duplicates, batch.problem(), now);
                    return new Result(true, false, total);
                }
                if (outOfTime) {
                    log.info("expansion_progress", "jobId", jobId, "targets", targets, "cursor", cursor);
                    return new Result(false, false, total);
                }
            }
        }
    }

    /** How long a dry run counts at most: inside API Gateway's 30-second integration timeout. */
    static final Duration COUNT_BUDGET = Duration.ofSeconds(20);

    /** Distinct names a dry run holds at most to find duplicates (about 100 MB); past them it stops. */
    static final int COUNT_MAX_NAMES = 1_000_000;

    /**
     * What {@link #run} would queue for {@code def} now, written nowhere. Directory targets are
     * counted by the byProductVersion index ({@code Select=COUNT} per version, devices already on
     * the target version left out, as {@link TargetReader.DirectoryReader} leaves them out); device
     * lists are read by the same readers as the expansion, with its rules for invalid and duplicate
     * names. Registry targets are not counted: only the job worker's engine reads AWS IoT.
     */
    TargetCount count(JobDefinition def) {
        switch (def.targetType()) {
            case PRODUCT, SOURCE_VERSIONS -> {
                Map<String, Long> versions = directory.versionCounts(def.productId());
                long targets = 0;
                for (Map.Entry<String, Long> e : versions.entrySet()) {
                    boolean targeted = def.targetType() == TargetType.PRODUCT
                            || def.sourceVersions().contains(e.getKey());
                    if (targeted && !e.getKey().equals(def.targetVersion())) {
                        targets += e.getValue();
                    }
                }
                return new TargetCount(targets, 0, 0, true, null);
            }
            case THING_GROUP, FLEET_QUERY -> {
                if (things == ThingRegistry.NONE) {
                    return new TargetCount(
                            null,
                            0,
                            0,
                            false,
                            "thing-group and fleet-query targets are read from AWS IoT by the job worker only;"
                                    + " the job's targetCount says how many once it is expanded");
                }
            }
            default -> {}
        }
        long deadline = EngineTuning.deadline(COUNT_BUDGET);
        Set<String> seen = new HashSet<>();
        long invalid = 0;
        long duplicates = 0;
        try (TargetReader reader = TargetReader.open(def, null, directory, lists, things)) {
            while (true) {
                TargetReader.Batch batch = reader.next(tuning.expandBatch());
                invalid += batch.invalid();
                for (TargetReader.Candidate c : batch.candidates()) {
                    if (!seen.add(c.deviceName())) {
                        duplicates++;
                    }
                }
                if (batch.exhausted()) {
                    return new TargetCount((long) seen.size(), invalid, duplicates, true, batch.problem());
                }
                if (!EngineTuning.before(deadline) || seen.size() >= COUNT_MAX_NAMES) {
                    return new TargetCount(
                            (long) seen.size(),
                            invalid,
                            duplicates,
                            false,
                            "counted the first " + seen.size() + " distinct devices, then stopped ("
                                    + (seen.size() >= COUNT_MAX_NAMES
                                            ? COUNT_MAX_NAMES + " names at most"
                                            : COUNT_BUDGET.toSeconds() + " seconds at most")
                                    + "); the list holds more");
                }
            }
        }
    }

    /** Expansion is complete: the job moves on from PREPARING, unless an operator paused or canceled it meanwhile. */
    private void finish(
            String jobId, JobRecord job, long targets, long invalid, long duplicates, String problem, Instant now) {
        JobStatus next = job.definition().window().started(now) ? JobStatus.IN_PROGRESS : JobStatus.SCHEDULED;
        String reason = (next == JobStatus.IN_PROGRESS
                        ? "rolling out"
                        : "starts at " + job.definition().window().startAt())
                + ": " + targets + " targets" + (invalid > 0 ? ", " + invalid + " invalid device names skipped" : "")
                + (duplicates > 0 ? ", " + duplicates + " duplicate names skipped" : "")
                + (problem == null ? "" : "; " + problem);
        if (problem != null) {
            log.warn("expansion_ended_early", "jobId", jobId, "problem", problem);
            if (targets == 0) {
                // Nothing to roll out because the targets could not be read: say so, do not "complete".
                next = JobStatus.ABORTED;
                reason = "no targets: " + problem;
            }
        }
        JobPatch patch = JobPatch.patch().ifStateIn(JobStatus.PREPARING).state(next, reason);
        if (next != JobStatus.SCHEDULED) {
            patch.event(
                    JobEvent.of(
                            next == JobStatus.ABORTED ? JobEvent.Kind.ABORTED : JobEvent.Kind.STARTED,
                            now,
                            null,
                            reason),
                    job);
        }
        jobs.update(jobId, patch);
        log.info(
                "expansion_done",
                "jobId",
                jobId,
                "targets",
                targets,
                "invalid",
                invalid,
                "duplicates",
                duplicates,
                "state",
                next);
    }
}
