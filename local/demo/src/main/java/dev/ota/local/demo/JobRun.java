package dev.ota.local.demo;

import dev.ota.domain.job.JobStatus;
import dev.ota.port.in.JobOperations.JobStatistics;
import java.util.List;
import java.util.Map;

/**
 * The demo's staged update job as the job engine left it: its final state, its statistics
 * ({@code JobOperations.statistics}) and, per rollout group, when the engine made it current and
 * how its devices ended (ExecutionsTable rows, grouped by the group each execution records).
 *
 * @param state       the job's state when the demo stopped watching it
 * @param stateReason the engine's reason for that state (the last stage advance, a pause, completion)
 * @param millis      from creation to the end of the watch
 */
public record JobRun(
        String jobId,
        JobStatus state,
        String stateReason,
        JobStatistics statistics,
        List<StageRun> stages,
        long millis) {

    public JobRun {
        stages = List.copyOf(stages);
    }

    /**
     * One rollout group.
     *
     * @param size           devices in the group (the job's stage definition)
     * @param startedAfterMs when the engine released the group's devices, after the job's creation; -1 never
     * @param millis         how long the group was the job's current one; -1 if it never was
     * @param counts         the group's executions per status, from ExecutionsTable
     * @param passedReason   the engine's reason for starting the next group (null for the last group or when it did not pass)
     */
    public record StageRun(
            int index,
            String name,
            int size,
            long startedAfterMs,
            long millis,
            Map<String, Integer> counts,
            String passedReason) {
        public StageRun {
            counts = Map.copyOf(counts);
        }

        public boolean started() {
            return startedAfterMs >= 0;
        }

        public int failures() {
            return counts.getOrDefault("FAILED", 0) + counts.getOrDefault("TIMED_OUT", 0);
        }
    }

    public boolean completed() {
        return state == JobStatus.COMPLETED;
    }
}
