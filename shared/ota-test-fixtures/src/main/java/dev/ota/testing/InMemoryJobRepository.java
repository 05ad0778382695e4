package dev.ota.testing;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.port.out.JobRepository;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link JobRepository} contract in memory, with the Jobs table's conventions: a patch applies
 * only if its conditions hold (and a patch that changes nothing succeeds without looking), the
 * counts move only with the executions ({@link #move}, called by {@link InMemoryRolloutStore} in
 * the same step as the row), and expansion's base counts come with its checkpoints.
 */
public final class InMemoryJobRepository implements JobRepository {

    private final Map<String, JobRecord> jobs = new LinkedHashMap<>();
    private final Map<String, Counters> counters = new HashMap<>();
    private final Set<String> live = new LinkedHashSet<>();
    private final Set<String> dynamicActive = new LinkedHashSet<>();

    private static final class Counters {
        final Map<ExecutionStatus, Long> byStatus = new EnumMap<>(ExecutionStatus.class);
        final Map<Integer, Map<ExecutionStatus, Long>> byStage = new HashMap<>();
        long retries;
    }

    @Override
    public void create(JobRecord job) {
        if (jobs.putIfAbsent(job.jobId(), job) != null) {
            throw new IllegalStateException("job " + job.jobId() + " exists");
        }
        live.add(job.jobId());
        if (job.definition() != null && job.definition().dynamic()) {
            dynamicActive.add(job.jobId());
        }
    }

    @Override
    public Optional<JobRecord> find(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    @Override
    public Optional<JobStatus> state(String jobId) {
        return find(jobId).map(JobRecord::state);
    }

    @Override
    public JobCounts counts(String jobId) {
        Counters c = counters.getOrDefault(jobId, new Counters());
        Map<Integer, Map<ExecutionStatus, Long>> byStage = new HashMap<>();
        c.byStage.forEach((stage, n) -> byStage.put(stage, Map.copyOf(n)));
        return new JobCounts(c.byStatus, byStage, c.retries);
    }

    @Override
    public Map<String, JobCounts> counts(Collection<String> jobIds) {
        Map<String, JobCounts> out = new LinkedHashMap<>();
        jobIds.forEach(id -> out.put(id, counts(id)));
        return out;
    }

    /** Newest first; the token is the position of the next item. */
    @Override
    public Page<JobRecord> list(String productId, String nextToken, int limit) {
        List<JobRecord> all = jobs.values().stream()
                .filter(j -> productId == null || productId.equals(j.productId()))
                .sorted(Comparator.comparing(JobRecord::createdAt).reversed())
                .toList();
        int from = nextToken == null ? 0 : Integer.parseInt(nextToken);
        int to = Math.min(all.size(), from + limit);
        return new Page<>(all.subList(from, to), to < all.size() ? String.valueOf(to) : null);
    }

    @Override
    public List<String> liveJobIds() {
        return List.copyOf(live);
    }

    @Override
    public List<JobRecord> liveDynamicJobs(String productId) {
        return dynamicActive.stream().map(jobs::get).filter(j -> j.productId().equals(productId))
                .sorted(Comparator.comparing(JobRecord::createdAt)).toList();
    }

    @Override
    public boolean update(String jobId, JobPatch p) {
        JobRecord j = jobs.get(jobId);
        if (!changes(p)) {
            return true;
        }
        if (j == null
                || p.conditionStates() != null && !p.conditionStates().contains(j.state())
                || p.conditionOnPlanAt() && !Objects.equals(p.conditionPlanAt(), j.planAt())
                || p.conditionOnCursor() && !Objects.equals(p.conditionCursor(), j.cursor())
                || p.conditionCurrentStage() != null && p.conditionCurrentStage() != j.currentStage()) {
            return false;
        }
        jobs.put(jobId, new JobRecord(j.jobId(), j.productId(), j.firmware(), j.definition(),
                p.newState() != null ? p.newState() : j.state(),
                p.newStateReason() != null ? p.newStateReason() : j.stateReason(),
                j.targetCount() + p.addedTargets(),
                p.newCurrentStage() != null ? p.newCurrentStage() : j.currentStage(),
                p.newStageSizes() != null ? p.newStageSizes() : j.stageSizes(),
                p.newExpanded() != null ? p.newExpanded() : j.expanded(),
                p.setsCursor() ? p.newCursor() : j.cursor(),
                p.newSeqNext() != null ? p.newSeqNext() : j.seqNext(),
                p.newHeartbeat() != null ? p.newHeartbeat() : j.expansionHeartbeat(),
                j.invalidNames() + p.addedInvalid(),
                j.duplicateNames() + p.addedDuplicates(),
                p.newBudget() != null ? p.newBudget() : j.budget(),
                p.newPlanAt() != null ? p.newPlanAt() : j.planAt(),
                p.newPausedByRule() != null ? p.newPausedByRule() : j.pausedByRule(),
                p.newResumedStage() != null ? p.newResumedStage() : j.resumedStage(),
                p.newWindowEnded() != null ? p.newWindowEnded() : j.windowEnded(),
                p.newSwept() != null ? p.newSwept() : j.swept(),
                j.createdAt()));
        if (p.addedQueued() != 0) {
            counters.computeIfAbsent(jobId, k -> new Counters()).byStatus.merge(ExecutionStatus.QUEUED, p.addedQueued(), Long::sum);
        }
        if (Boolean.FALSE.equals(p.newLive())) {
            live.remove(jobId);
        }
        if (Boolean.FALSE.equals(p.newDynamicActive())) {
            dynamicActive.remove(jobId);
        }
        return true;
    }

    private static boolean changes(JobPatch p) {
        return p.newState() != null || p.newStateReason() != null || p.newCurrentStage() != null || p.newStageSizes() != null
                || p.newExpanded() != null || p.setsCursor() || p.newSeqNext() != null || p.newHeartbeat() != null
                || p.newBudget() != null || p.newPlanAt() != null || p.newPausedByRule() != null || p.newResumedStage() != null
                || p.newWindowEnded() != null || p.newSwept() != null || Boolean.FALSE.equals(p.newLive())
                || Boolean.FALSE.equals(p.newDynamicActive()) || p.addedTargets() != 0 || p.addedQueued() != 0
                || p.addedInvalid() != 0 || p.addedDuplicates() != 0;
    }

    /**
     * Moves one execution's counts: from {@code from} (null: it is new) in group {@code fromStage} to
     * {@code to} in group {@code toStage}; QUEUED executions belong to no group yet.
     */
    void move(String jobId, ExecutionStatus from, int fromStage, ExecutionStatus to, int toStage, boolean retry) {
        Counters c = counters.computeIfAbsent(jobId, k -> new Counters());
        if (from != to) {
            if (from != null) {
                c.byStatus.merge(from, -1L, Long::sum);
            }
            c.byStatus.merge(to, 1L, Long::sum);
        }
        boolean same = from == to && fromStage == toStage;
        if (from != null && from != ExecutionStatus.QUEUED && !same) {
            c.byStage.computeIfAbsent(fromStage, k -> new EnumMap<>(ExecutionStatus.class)).merge(from, -1L, Long::sum);
        }
        if (to != ExecutionStatus.QUEUED && !same) {
            c.byStage.computeIfAbsent(toStage, k -> new EnumMap<>(ExecutionStatus.class)).merge(to, 1L, Long::sum);
        }
        if (retry) {
            c.retries++;
        }
    }

    /** Adds a late device to a dynamic job's targets, if the job still takes late devices. */
    boolean addLateTarget(String jobId) {
        JobRecord j = jobs.get(jobId);
        if (j == null || !dynamicActive.contains(jobId)) {
            return false;
        }
        jobs.put(jobId, new JobRecord(j.jobId(), j.productId(), j.firmware(), j.definition(), j.state(), j.stateReason(), j.targetCount() + 1,
                j.currentStage(), j.stageSizes(), j.expanded(), j.cursor(), j.seqNext(), j.expansionHeartbeat(), j.invalidNames(),
                j.duplicateNames(), j.budget(), j.planAt(), j.pausedByRule(), j.resumedStage(), j.windowEnded(), j.swept(), j.createdAt()));
        return true;
    }

    boolean takesLateDevices(String jobId) {
        return dynamicActive.contains(jobId);
    }

    /** Devices per status that are not zero, for assertions. */
    public Map<ExecutionStatus, Long> statusCounts(String jobId) {
        Map<ExecutionStatus, Long> out = new EnumMap<>(ExecutionStatus.class);
        counts(jobId).byStatus().forEach((status, n) -> {
            if (n != 0) {
                out.put(status, n);
            }
        });
        return out;
    }

    public List<JobRecord> all() {
        return new ArrayList<>(jobs.values());
    }
}
