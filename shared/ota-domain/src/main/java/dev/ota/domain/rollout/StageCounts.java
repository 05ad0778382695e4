package dev.ota.domain.rollout;

import dev.ota.domain.ExecutionStatus;
import java.util.Map;

/**
 * The devices released into one rollout group, by where they stand now. Exact: they come from the
 * per-group counters that move in the same transaction as each execution.
 */
public record StageCounts(
        long entered, long succeeded, long failed, long timedOut, long skipped, long canceled, long live) {

    public static StageCounts of(Map<ExecutionStatus, Long> byStatus) {
        long entered = 0;
        for (Map.Entry<ExecutionStatus, Long> e : byStatus.entrySet()) {
            if (e.getKey() != ExecutionStatus.QUEUED) {
                entered += e.getValue();
            }
        }
        long live = 0;
        for (ExecutionStatus s : ExecutionStatus.values()) {
            if (s.live()) {
                live += byStatus.getOrDefault(s, 0L);
            }
        }
        return new StageCounts(
                entered,
                byStatus.getOrDefault(ExecutionStatus.SUCCEEDED, 0L),
                byStatus.getOrDefault(ExecutionStatus.FAILED, 0L),
                byStatus.getOrDefault(ExecutionStatus.TIMED_OUT, 0L),
                byStatus.getOrDefault(ExecutionStatus.SKIPPED, 0L),
                byStatus.getOrDefault(ExecutionStatus.CANCELED, 0L),
                live);
    }

    /** Devices that ended with a result: succeeded, failed or timed out. */
    public long finished() {
        return succeeded + failed + timedOut;
    }

    /** Devices of the group that were to be updated: skipped and canceled ones are not judged. */
    public long eligible() {
        return entered - skipped - canceled;
    }

    public long failures() {
        return failed + timedOut;
    }
}
