package dev.ota.testing;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.Job.JobStatus;
import dev.ota.domain.OperatorException;
import dev.ota.domain.Page;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.rollout.ReleaseBudget;
import dev.ota.port.out.JobRepository;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The {@link JobRepository} contract in memory, with the semantics of {@code DynamoDbJobRepository}
 * and its counters ({@code JobCounters}):
 * <ul>
 *   <li>{@link #create} stores a fresh job item as the adapter writes it (no targets, stage 0, not
 *       expanded, no budget, no plan; state and reason from the record), live, and taking late
 *       devices if dynamic. A second create of the same id throws {@link IllegalStateException}
 *       (the adapter's conditional put throws {@code ConditionalCheckFailedException}).</li>
 *   <li>{@link #update} checks the patch's conditions (the job exists, state in, planAt equal or
 *       absent, cursor equal or absent, current stage equal) and applies all of it or nothing. As in
 *       the adapter, a patch that changes nothing returns true without checking anything, and
 *       {@code live(true)} / {@code dynamicActive(true)} change nothing (the index keys are only
 *       ever removed).</li>
 *   <li>Instants are kept to the millisecond, as the table stores them, so a planAt read back
 *       matches the condition written from it.</li>
 *   <li>Counts: the base counts a patch adds ({@code addExpanded}) plus what the execution moves of
 *       {@link InMemoryRolloutStore} and the mirrored {@link InMemoryDeviceStateStore} add, with the
 *       per-group and {@code retries} rules of {@code JobCounters.move}. Counts of an unknown job are zeros.</li>
 *   <li>{@link #list}: newest first (ties by job id), by product or over all products; the page
 *       token names the last job returned and is only valid for the same listing, otherwise
 *       {@link OperatorException} INVALID_REQUEST, as {@code PageTokens} answers.</li>
 *   <li>{@link #liveJobIds} in job-id order (the {@code byLive} index's sort key);
 *       {@link #liveDynamicJobs} oldest first.</li>
 * </ul>
 *
 * <p>Not modelled: counter shards (the sums are what the port exposes), eventual consistency of the
 * indexes (every read here is consistent), DynamoDB's page sizes (a page here is exactly
 * {@code limit} items, and a token is returned only when more items follow, where DynamoDB may
 * return one that leads to an empty page; the all-products scan here is ordered, the adapter's is not).
 *
 * <p>Test hooks: {@link #put} stores a record as given (e.g. a job of the update-devices function,
 * which has no definition); {@link #beforeNextUpdate} runs code right before the next update, to
 * simulate a concurrent writer (or, by throwing, a function that died before its write);
 * {@link #liveDynamicJobsQueries} counts the index queries a cache should save. Thread-safe
 * (synchronized); hooks run outside the monitor.
 */
public final class InMemoryJobRepository implements JobRepository {

    /** The job item: the record's fields, mutable, plus the two sparse index keys. */
    private static final class Item {
        String jobId;
        String productId;
        FirmwareRef firmware;
        JobDefinition definition;
        JobStatus state;
        String stateReason;
        long targetCount;
        int currentStage;
        List<Long> stageSizes;
        boolean expanded;
        String cursor;
        long seqNext;
        Instant heartbeat;
        long invalidNames;
        long duplicateNames;
        ReleaseBudget budget;
        Instant planAt;
        boolean pausedByRule;
        int resumedStage;
        boolean windowEnded;
        boolean swept;
        Instant createdAt;
        boolean live;
        boolean dynamicActive;

        JobRecord toRecord() {
            return new JobRecord(jobId, productId, firmware, definition, state, stateReason, targetCount, currentStage, stageSizes, expanded,
                    cursor, seqNext, heartbeat, invalidNames, duplicateNames, budget, planAt, pausedByRule, resumedStage, windowEnded, swept,
                    createdAt);
        }
    }

    /** The counts of one job: job item and shards summed. */
    private static final class Counters {
        final Map<ExecutionStatus, Long> total = new EnumMap<>(ExecutionStatus.class);
        final Map<Integer, Map<ExecutionStatus, Long>> byStage = new TreeMap<>();
        long retries;

        JobCounts snapshot() {
            Map<Integer, Map<ExecutionStatus, Long>> stages = new HashMap<>();
            byStage.forEach((stage, counts) -> stages.put(stage, new EnumMap<>(counts)));
            return new JobCounts(total, stages, retries);
        }

        void addStage(int stage, ExecutionStatus status, long delta) {
            byStage.computeIfAbsent(stage, k -> new EnumMap<>(ExecutionStatus.class)).merge(status, delta, Long::sum);
        }
    }

    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, Counters> counters = new HashMap<>();
    private Consumer<InMemoryJobRepository> updateHook;
    private int dynamicQueries;

    // ---------------------------------------------------------------------------------------
    // JobRepository
    // ---------------------------------------------------------------------------------------

    @Override
    public synchronized void create(JobRecord job) {
        JobDefinition d = Objects.requireNonNull(job.definition(), "a job made through the repository has a definition");
        if (items.containsKey(job.jobId())) {
            throw new IllegalStateException("job " + job.jobId() + " exists");
        }
        Item item = new Item();
        item.jobId = job.jobId();
        item.productId = job.productId();
        item.firmware = job.firmware();
        item.definition = d;
        item.state = job.state();
        item.stateReason = job.stateReason();
        item.stageSizes = List.of();
        item.resumedStage = -1;
        item.createdAt = ms(job.createdAt());
        item.live = true;
        item.dynamicActive = d.dynamic();
        items.put(item.jobId, item);
    }

    @Override
    public synchronized Optional<JobRecord> find(String jobId) {
        Item item = items.get(jobId);
        return item == null ? Optional.empty() : Optional.of(item.toRecord());
    }

    @Override
    public synchronized Optional<JobStatus> state(String jobId) {
        Item item = items.get(jobId);
        return item == null ? Optional.empty() : Optional.of(item.state);
    }

    @Override
    public synchronized JobCounts counts(String jobId) {
        Counters c = counters.get(jobId);
        return c == null ? new Counters().snapshot() : c.snapshot();
    }

    @Override
    public synchronized Map<String, JobCounts> counts(Collection<String> jobIds) {
        Map<String, JobCounts> out = new LinkedHashMap<>();
        for (String jobId : jobIds) {
            out.put(jobId, counts(jobId));
        }
        return out;
    }

    @Override
    public synchronized Page<JobRecord> list(String productId, String nextToken, int limit) {
        String scope = productId == null ? "*" : "p/" + productId;
        List<Item> listed = items.values().stream()
                .filter(i -> productId == null || i.productId.equals(productId))
                .sorted(Comparator.comparing((Item i) -> i.createdAt).thenComparing(i -> i.jobId).reversed())
                .toList();
        int from = 0;
        if (nextToken != null) {
            String last = decodeToken(nextToken, scope);
            from = -1;
            for (int i = 0; i < listed.size(); i++) {
                if (listed.get(i).jobId.equals(last)) {
                    from = i + 1;
                }
            }
            if (from < 0) {
                throw invalidToken();
            }
        }
        int to = Math.min(listed.size(), from + limit);
        List<JobRecord> page = listed.subList(from, to).stream().map(Item::toRecord).toList();
        return new Page<>(page, to < listed.size() ? encodeToken(scope, listed.get(to - 1).jobId) : null);
    }

    @Override
    public synchronized List<String> liveJobIds() {
        return items.values().stream().filter(i -> i.live).map(i -> i.jobId).sorted().toList();
    }

    @Override
    public synchronized List<JobRecord> liveDynamicJobs(String productId) {
        dynamicQueries++;
        return items.values().stream().filter(i -> i.dynamicActive && i.productId.equals(productId))
                .sorted(Comparator.comparing((Item i) -> i.createdAt).thenComparing(i -> i.jobId))
                .map(Item::toRecord).toList();
    }

    @Override
    public boolean update(String jobId, JobPatch p) {
        Consumer<InMemoryJobRepository> hook;
        synchronized (this) {
            hook = updateHook;
            updateHook = null;
        }
        if (hook != null) {
            hook.accept(this);
        }
        synchronized (this) {
            return apply(jobId, p);
        }
    }

    private boolean apply(String jobId, JobPatch p) {
        if (changesNothing(p)) {
            return true;
        }
        Item item = items.get(jobId);
        if (item == null) {
            return false;
        }
        if (p.conditionStates() != null && !p.conditionStates().contains(item.state)) {
            return false;
        }
        if (p.conditionOnPlanAt() && !Objects.equals(ms(p.conditionPlanAt()), item.planAt)) {
            return false;
        }
        if (p.conditionOnCursor() && !Objects.equals(p.conditionCursor(), item.cursor)) {
            return false;
        }
        if (p.conditionCurrentStage() != null && p.conditionCurrentStage() != item.currentStage) {
            return false;
        }
        if (p.newState() != null) {
            item.state = p.newState();
        }
        if (p.newStateReason() != null) {
            item.stateReason = p.newStateReason();
        }
        if (p.newCurrentStage() != null) {
            item.currentStage = p.newCurrentStage();
        }
        if (p.newStageSizes() != null) {
            item.stageSizes = List.copyOf(p.newStageSizes());
        }
        if (p.newExpanded() != null) {
            item.expanded = p.newExpanded();
        }
        if (p.setsCursor()) {
            item.cursor = p.newCursor();
        }
        if (p.newSeqNext() != null) {
            item.seqNext = p.newSeqNext();
        }
        if (p.newHeartbeat() != null) {
            item.heartbeat = ms(p.newHeartbeat());
        }
        if (p.newBudget() != null) {
            item.budget = new ReleaseBudget(p.newBudget().tokens(), ms(p.newBudget().refilledAt()));
        }
        if (p.newPlanAt() != null) {
            item.planAt = ms(p.newPlanAt());
        }
        if (p.newPausedByRule() != null) {
            item.pausedByRule = p.newPausedByRule();
        }
        if (p.newResumedStage() != null) {
            item.resumedStage = p.newResumedStage();
        }
        if (p.newWindowEnded() != null) {
            item.windowEnded = p.newWindowEnded();
        }
        if (p.newSwept() != null) {
            item.swept = p.newSwept();
        }
        if (Boolean.FALSE.equals(p.newLive())) {
            item.live = false;
        }
        if (Boolean.FALSE.equals(p.newDynamicActive())) {
            item.dynamicActive = false;
        }
        item.targetCount += p.addedTargets();
        if (p.addedQueued() != 0) {
            counters(jobId).total.merge(ExecutionStatus.QUEUED, p.addedQueued(), Long::sum);
        }
        item.invalidNames += p.addedInvalid();
        item.duplicateNames += p.addedDuplicates();
        return true;
    }

    /** The adapter builds no update expression from such a patch and returns true at once. */
    private static boolean changesNothing(JobPatch p) {
        return p.newState() == null && p.newStateReason() == null && p.newCurrentStage() == null && p.newStageSizes() == null
                && p.newExpanded() == null && !p.setsCursor() && p.newSeqNext() == null && p.newHeartbeat() == null && p.newBudget() == null
                && p.newPlanAt() == null && p.newPausedByRule() == null && p.newResumedStage() == null && p.newWindowEnded() == null
                && p.newSwept() == null && !Boolean.FALSE.equals(p.newLive()) && !Boolean.FALSE.equals(p.newDynamicActive())
                && p.addedTargets() == 0 && p.addedQueued() == 0 && p.addedInvalid() == 0 && p.addedDuplicates() == 0;
    }

    // ---------------------------------------------------------------------------------------
    // What the rollout store's and the device store's transactions do to the Jobs table
    // ---------------------------------------------------------------------------------------

    /** {@code JobGuards.inProgress}: the job item exists and is IN_PROGRESS. */
    synchronized boolean inProgress(String jobId) {
        Item item = items.get(jobId);
        return item != null && item.state == JobStatus.IN_PROGRESS;
    }

    /** {@code JobGuards.exists}. */
    synchronized boolean exists(String jobId) {
        return items.containsKey(jobId);
    }

    /** {@code JobGuards.takesLateDevices}: the job still has its {@code dynamicProduct} key. */
    synchronized boolean takesLateDevices(String jobId) {
        Item item = items.get(jobId);
        return item != null && item.dynamicActive;
    }

    /** A late device joins the job: {@code ADD targetCount 1} (the caller checked {@link #takesLateDevices}). */
    synchronized void addTarget(String jobId) {
        items.get(jobId).targetCount++;
    }

    /**
     * {@code JobCounters.move}: one execution moves from {@code from} (null: it is new) in group
     * {@code fromStage} to {@code to} in group {@code toStage}. QUEUED counts belong to no group; a
     * move within the same status and group leaves the group counts alone; {@code retry} counts an
     * attempt after a device's first.
     */
    synchronized void move(String jobId, ExecutionStatus from, int fromStage, ExecutionStatus to, int toStage, boolean retry) {
        Counters c = counters(jobId);
        if (from != to) {
            if (from != null) {
                c.total.merge(from, -1L, Long::sum);
            }
            c.total.merge(to, 1L, Long::sum);
        }
        boolean sameGroupAndStatus = from == to && fromStage == toStage;
        if (from != null && from != ExecutionStatus.QUEUED && !sameGroupAndStatus) {
            c.addStage(fromStage, from, -1);
        }
        if (to != ExecutionStatus.QUEUED && !sameGroupAndStatus) {
            c.addStage(toStage, to, 1);
        }
        if (retry) {
            c.retries++;
        }
    }

    private Counters counters(String jobId) {
        return counters.computeIfAbsent(jobId, k -> new Counters());
    }

    // ---------------------------------------------------------------------------------------
    // Test hooks
    // ---------------------------------------------------------------------------------------

    /**
     * Stores {@code job} exactly as given, replacing any job of that id: live unless it ended, taking
     * late devices if it is dynamic and has not ended. For states the operations cannot produce
     * directly, and for jobs of the update-devices function (no definition).
     */
    public synchronized void put(JobRecord job) {
        Item item = new Item();
        item.jobId = job.jobId();
        item.productId = job.productId();
        item.firmware = job.firmware();
        item.definition = job.definition();
        item.state = job.state();
        item.stateReason = job.stateReason();
        item.targetCount = job.targetCount();
        item.currentStage = job.currentStage();
        item.stageSizes = job.stageSizes();
        item.expanded = job.expanded();
        item.cursor = job.cursor();
        item.seqNext = job.seqNext();
        item.heartbeat = ms(job.expansionHeartbeat());
        item.invalidNames = job.invalidNames();
        item.duplicateNames = job.duplicateNames();
        item.budget = job.budget() == null ? null : new ReleaseBudget(job.budget().tokens(), ms(job.budget().refilledAt()));
        item.planAt = ms(job.planAt());
        item.pausedByRule = job.pausedByRule();
        item.resumedStage = job.resumedStage();
        item.windowEnded = job.windowEnded();
        item.swept = job.swept();
        item.createdAt = ms(job.createdAt());
        item.live = !job.state().ended();
        item.dynamicActive = job.definition() != null && job.definition().dynamic() && !job.state().ended();
        items.put(item.jobId, item);
    }

    /** Runs {@code hook} once, right before the next {@link #update} reads the job. */
    public synchronized void beforeNextUpdate(Consumer<InMemoryJobRepository> hook) {
        this.updateHook = hook;
    }

    /** Whether the job is still in the scheduler's index of live jobs. */
    public synchronized boolean isLive(String jobId) {
        Item item = items.get(jobId);
        return item != null && item.live;
    }

    /** Whether the job still takes devices that qualify later (its {@code byDynamicProduct} key). */
    public synchronized boolean isTakingLateDevices(String jobId) {
        return takesLateDevices(jobId);
    }

    /** Calls of {@link #liveDynamicJobs}: one index query each. */
    public synchronized int liveDynamicJobsQueries() {
        return dynamicQueries;
    }

    // ---------------------------------------------------------------------------------------

    private static Instant ms(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS);
    }

    private static String encodeToken(String scope, String jobId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((scope + "\n" + jobId).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token, String scope) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalidToken();
        }
        int nl = text.indexOf('\n');
        if (token.isEmpty() || nl < 0 || !text.substring(0, nl).equals(scope)) {
            throw invalidToken();
        }
        return text.substring(nl + 1);
    }

    static OperatorException invalidToken() {
        return new OperatorException(OperatorException.Code.INVALID_REQUEST,
                "nextToken is not valid (it must come from the previous page of the same listing)");
    }
}
