package dev.ota.domain.job;

import dev.ota.domain.FirmwareRef;
import dev.ota.domain.rollout.ReleaseBudget;
import dev.ota.domain.rollout.StagePlan;
import java.time.Instant;
import java.util.List;

/**
 * A job as stored: its definition and the scheduler's progress on it.
 *
 * @param definition null only on job items the update-devices function wrote before its jobs went
 *     through the engine: still read (listed, described, counted, completed), never written
 * @param targetCount devices with an execution row in this job, exactly
 * @param stageSizes sizes of the rollout groups, fixed when expansion finished (empty before)
 * @param expanded every target has its QUEUED row (or expansion stopped because the job was canceled)
 * @param cursor where expansion resumes (opaque to all but the expander)
 * @param seqNext queue position the next expansion batch starts at
 * @param pausedByRule the job is paused because a stage threshold said so (not by an operator)
 * @param resumedStage the group an operator resumed the job in after a threshold paused it (its
 *     thresholds give way), or -1
 * @param windowEnded endAt passed: the job stopped releasing and cancels what is queued
 * @param swept a canceled or aborted job has no queued or live execution left
 * @param actors who created, paused, resumed or canceled the job (never null)
 * @param events the job's timeline, oldest first, at most {@link JobEvent#MAX_EVENTS} (never null)
 */
public record JobRecord(
        String jobId,
        String productId,
        FirmwareRef firmware,
        JobDefinition definition,
        JobStatus state,
        String stateReason,
        long targetCount,
        int currentStage,
        List<Long> stageSizes,
        boolean expanded,
        String cursor,
        long seqNext,
        Instant expansionHeartbeat,
        long invalidNames,
        long duplicateNames,
        ReleaseBudget budget,
        Instant planAt,
        boolean pausedByRule,
        int resumedStage,
        boolean windowEnded,
        boolean swept,
        Instant createdAt,
        JobActors actors,
        List<JobEvent> events) {

    public JobRecord {
        stageSizes = stageSizes == null ? List.of() : List.copyOf(stageSizes);
        actors = actors == null ? JobActors.NONE : actors;
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** A job without a timeline (items written before jobs kept one). */
    public JobRecord(
            String jobId,
            String productId,
            FirmwareRef firmware,
            JobDefinition definition,
            JobStatus state,
            String stateReason,
            long targetCount,
            int currentStage,
            List<Long> stageSizes,
            boolean expanded,
            String cursor,
            long seqNext,
            Instant expansionHeartbeat,
            long invalidNames,
            long duplicateNames,
            ReleaseBudget budget,
            Instant planAt,
            boolean pausedByRule,
            int resumedStage,
            boolean windowEnded,
            boolean swept,
            Instant createdAt,
            JobActors actors) {
        this(
                jobId,
                productId,
                firmware,
                definition,
                state,
                stateReason,
                targetCount,
                currentStage,
                stageSizes,
                expanded,
                cursor,
                seqNext,
                expansionHeartbeat,
                invalidNames,
                duplicateNames,
                budget,
                planAt,
                pausedByRule,
                resumedStage,
                windowEnded,
                swept,
                createdAt,
                actors,
                List.of());
    }

    /** A job nobody is named on ({@link JobActors#NONE}). */
    public JobRecord(
            String jobId,
            String productId,
            FirmwareRef firmware,
            JobDefinition definition,
            JobStatus state,
            String stateReason,
            long targetCount,
            int currentStage,
            List<Long> stageSizes,
            boolean expanded,
            String cursor,
            long seqNext,
            Instant expansionHeartbeat,
            long invalidNames,
            long duplicateNames,
            ReleaseBudget budget,
            Instant planAt,
            boolean pausedByRule,
            int resumedStage,
            boolean windowEnded,
            boolean swept,
            Instant createdAt) {
        this(
                jobId,
                productId,
                firmware,
                definition,
                state,
                stateReason,
                targetCount,
                currentStage,
                stageSizes,
                expanded,
                cursor,
                seqNext,
                expansionHeartbeat,
                invalidNames,
                duplicateNames,
                budget,
                planAt,
                pausedByRule,
                resumedStage,
                windowEnded,
                swept,
                createdAt,
                JobActors.NONE);
    }

    public String targetVersion() {
        return firmware.version();
    }

    public StagePlan stagePlan() {
        if (definition == null || definition.stages().isEmpty()) {
            return StagePlan.of(List.of(), targetCount);
        }
        if (stageSizes.size() == definition.stages().size()) {
            return new StagePlan(definition.stages(), stageSizes);
        }
        return StagePlan.of(definition.stages(), targetCount);
    }

    /** A fresh job, before its targets are expanded. */
    public static JobRecord created(String jobId, JobDefinition definition, FirmwareRef firmware, Instant now) {
        return created(jobId, definition, firmware, now, null);
    }

    /** @param createdBy the IAM caller that asked for it, or null */
    public static JobRecord created(
            String jobId, JobDefinition definition, FirmwareRef firmware, Instant now, String createdBy) {
        return new JobRecord(
                jobId,
                definition.productId(),
                firmware,
                definition,
                JobStatus.PREPARING,
                "expanding targets",
                0,
                0,
                List.of(),
                false,
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
                now,
                JobActors.createdBy(createdBy),
                List.of(JobEvent.of(JobEvent.Kind.CREATED, now, createdBy, null)));
    }
}
