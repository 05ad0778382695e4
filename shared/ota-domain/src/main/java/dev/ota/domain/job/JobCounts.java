package dev.ota.domain.job;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.rollout.StageCounts;
import java.util.EnumMap;
import java.util.Map;

/**
 * Devices per status in one job, exactly, and per rollout group. A retry is a new attempt of the
 * same device, counted in {@code retries}, never as a second device.
 */
public record JobCounts(
        Map<ExecutionStatus, Long> byStatus, Map<Integer, Map<ExecutionStatus, Long>> byStage, long retries) {

    /** The group of an execution that is in none: one still queued, or canceled while it was queued (never released). */
    public static final int NO_STAGE = -1;

    /**
     * Whether an execution in {@code status} in group {@code stage} counts in that group's counts. A
     * device belongs to the group current when it was released (or skipped); QUEUED executions, and
     * those canceled while queued ({@link #NO_STAGE}), belong to no group (docs/jobs.md).
     */
    public static boolean inStage(ExecutionStatus status, int stage) {
        return status != null && status != ExecutionStatus.QUEUED && stage != NO_STAGE;
    }

    public JobCounts {
        EnumMap<ExecutionStatus, Long> copy = new EnumMap<>(ExecutionStatus.class);
        for (ExecutionStatus s : ExecutionStatus.values()) {
            copy.put(s, byStatus.getOrDefault(s, 0L));
        }
        byStatus = Map.copyOf(copy);
        byStage = Map.copyOf(byStage);
    }

    public long get(ExecutionStatus status) {
        return byStatus.getOrDefault(status, 0L);
    }

    public StageCounts stage(int stage) {
        return StageCounts.of(byStage.getOrDefault(stage, Map.of()));
    }

    public long live() {
        long n = 0;
        for (ExecutionStatus s : ExecutionStatus.values()) {
            if (s.live()) {
                n += get(s);
            }
        }
        return n;
    }

    /** Finished executions (any terminal status) per hundred executions of the job; 0 for a job without any. */
    public double percentFinished() {
        long total = 0;
        long finished = 0;
        for (ExecutionStatus s : ExecutionStatus.values()) {
            total += get(s);
            if (s.terminal()) {
                finished += get(s);
            }
        }
        return total == 0 ? 0 : 100.0 * finished / total;
    }

    /** Ordered view (every status, zeros included) for operators. */
    public Map<ExecutionStatus, Long> ordered() {
        return new EnumMap<>(byStatus);
    }
}
