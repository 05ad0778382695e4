package dev.ota.testing;

import static dev.ota.testing.TableConventions.ms;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobActors;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobEvent;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.rollout.ReleaseBudget;
import dev.ota.port.out.JobRepository;
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
 *       (the adapter's conditional put throws {@code ConditionalCheckFailedException}); a record
 *       without a definition throws too (the adapter cannot write one).</li>
 *   <li>{@link #update} checks the patch's conditions (the job exists, state in, planAt equal or
 *       absent, cursor equal or absent, current stage equal, definition equal) and applies all of it or
 *       nothing. As in the adapter, a patch that changes nothing returns true without checking
 *       anything, {@code live(true)} puts the job back in the live index (a deletion to finish) and
 *       {@code dynamicActive(true)} changes nothing.</li>
 *   <li>{@link #create(JobRecord, ClientToken)}: the token held (not expired at the job's
 *       creation time) answers its holder and stores nothing; {@link #delete} removes a job in
 *       DELETION_IN_PROGRESS with its counts; {@link #jobIds} as {@link #list} by product.</li>
 *   <li>Instants are kept to the millisecond, as the table stores them, so a planAt read back
 *       matches the condition written from it.</li>
 *   <li>Counts: the base counts a patch adds ({@code addExpanded}) plus what the execution moves of
 *       {@link InMemoryRolloutStore} and the mirrored {@link InMemoryDeviceStateStore} add, with the
 *       per-group and {@code retries} rules of {@code JobCounters.move}. Counts of an unknown job are zeros.</li>
 *   <li>{@link #list}: newest first (ties by job id, descending), by product ({@code byProduct}) or
 *       over all products ({@code byCreated}: job items that carry its key, which every created
 *       job does and a job item from before the index, e.g. one the update-devices function wrote
 *       without a definition, does not); the page token names the last job returned and is only
 *       valid for the same listing.</li>
 *   <li>{@link #liveJobIds} in job-id order (the {@code byLive} index's sort key);
 *       {@link #liveDynamicJobs} oldest first.</li>
 * </ul>
 *
 * <p>Not modelled: counter shards (the sums are what the port exposes), eventual consistency of the
 * indexes (every read here is consistent), DynamoDB's page sizes (a page here is exactly
 * {@code limit} items, and a token is returned only when more items follow, where DynamoDB may
 * return one that leads to an empty page),
 * and {@code LiveJobs} (the firmware catalogue's check; its tests stub it).
 *
 * <p>Test hooks: {@link #put} stores a record as given (e.g. a job item the update-devices function
 * wrote before its jobs went through the engine, which has no definition and, like every job item
 * written before the {@code byCreated} index, is not in the listing over all products); {@link #beforeNextUpdate}
 * runs code right before the next update, to simulate a concurrent writer (or, by throwing, a
 * function that died before its write); {@link #liveDynamicJobsQueries} counts the index queries a
 * cache should save; {@link #statusCounts}, {@link #all}, {@link #isLive} and
 * {@link #isTakingLateDevices} are for assertions. Thread-safe (synchronized); hooks run outside the monitor.
 */
public final class InMemoryJobRepository implements JobRepository {

    /** The job item: the record as the table keeps it, plus the three sparse index keys. */
    private static final class Item {
        JobRecord job;
        /** byLive: the scheduler still has work for the job. */
        boolean live;
        /** byDynamicProduct: the job still takes devices that qualify later. */
        boolean dynamicActive;
        /** byCreated: written by create; absent on job items from before the index (no definition). */
        final boolean listed;

        /**
         * Live unless it ended, taking late devices if it is dynamic and has not ended, in the
         * listing over all products if it has a definition.
         */
        Item(JobRecord job) {
            this(job, job.definition() != null);
        }

        Item(JobRecord job, boolean listed) {
            this.listed = listed;
            this.job = patched(job, JobPatch.patch());
            live = !job.state().ended();
            dynamicActive = job.definition() != null
                    && job.definition().dynamic()
                    && !job.state().ended();
        }
    }

    /**
     * The record after {@code DynamoDbJobRepository.update}'s SET and ADD clauses (the counters
     * aside), its instants kept to the millisecond as the table keeps them.
     */
    private static JobRecord patched(JobRecord j, JobPatch p) {
        ReleaseBudget budget = p.newBudget() != null ? p.newBudget() : j.budget();
        return new JobRecord(
                j.jobId(),
                j.productId(),
                j.firmware(),
                p.newDefinition() != null ? p.newDefinition() : j.definition(),
                p.newState() != null ? p.newState() : j.state(),
                p.newStateReason() != null ? p.newStateReason() : j.stateReason(),
                j.targetCount() + p.addedTargets(),
                p.newCurrentStage() != null ? p.newCurrentStage() : j.currentStage(),
                p.newStageSizes() != null ? p.newStageSizes() : j.stageSizes(),
                p.newExpanded() != null ? p.newExpanded() : j.expanded(),
                p.setsCursor() ? p.newCursor() : j.cursor(),
                p.newSeqNext() != null ? p.newSeqNext() : j.seqNext(),
                ms(p.newHeartbeat() != null ? p.newHeartbeat() : j.expansionHeartbeat()),
                j.invalidNames() + p.addedInvalid(),
                j.duplicateNames() + p.addedDuplicates(),
                budget == null ? null : new ReleaseBudget(budget.tokens(), ms(budget.refilledAt())),
                ms(p.newPlanAt() != null ? p.newPlanAt() : j.planAt()),
                p.newPausedByRule() != null ? p.newPausedByRule() : j.pausedByRule(),
                p.newResumedStage() != null ? p.newResumedStage() : j.resumedStage(),
                p.newWindowEnded() != null ? p.newWindowEnded() : j.windowEnded(),
                p.newSwept() != null ? p.newSwept() : j.swept(),
                ms(j.createdAt()),
                new JobActors(
                        j.actors().createdBy(),
                        p.newPausedBy() != null ? p.newPausedBy() : j.actors().pausedBy(),
                        p.newResumedBy() != null ? p.newResumedBy() : j.actors().resumedBy(),
                        p.newCanceledBy() != null
                                ? p.newCanceledBy()
                                : j.actors().canceledBy()),
                events(j, p));
    }

    /** The timeline after the patch: its event appended, the dropped ids gone, in id order (as the table's map). */
    private static List<JobEvent> events(JobRecord j, JobPatch p) {
        if (p.newEvent() == null) {
            return j.events();
        }
        TreeMap<String, JobEvent> byId = new TreeMap<>();
        if (!p.startsEvents()) {
            j.events().forEach(ev -> byId.put(ev.id(), ev));
            p.droppedEvents().forEach(byId::remove);
        }
        JobEvent ev = p.newEvent();
        byId.put(ev.id(), new JobEvent(ev.id(), ms(ev.at()), ev.kind(), ev.actor(), ev.detail()));
        return List.copyOf(byId.values());
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
            byStage.computeIfAbsent(stage, k -> new EnumMap<>(ExecutionStatus.class))
                    .merge(status, delta, Long::sum);
        }
    }

    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, Counters> counters = new HashMap<>();
    private final Map<String, ClientToken> tokens = new HashMap<>();
    private final Map<String, String> tokenJobs = new HashMap<>();
    private final NextCalls<InMemoryJobRepository> beforeUpdate = new NextCalls<>();
    private int dynamicQueries;

    // ---------------------------------------------------------------------------------------
    // JobRepository
    // ---------------------------------------------------------------------------------------

    @Override
    public synchronized void create(JobRecord job) {
        JobDefinition d =
                Objects.requireNonNull(job.definition(), "a job made through the repository has a definition");
        if (items.containsKey(job.jobId())) {
            throw new IllegalStateException("job " + job.jobId() + " exists");
        }
        // The adapter writes the record's identity, definition, state and reason; the scheduler's fields start afresh.
        items.put(
                job.jobId(),
                new Item(
                        new JobRecord(
                                job.jobId(),
                                job.productId(),
                                job.firmware(),
                                d,
                                job.state(),
                                job.stateReason(),
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
                                job.createdAt(),
                                JobActors.createdBy(job.actors().createdBy()),
                                job.events()),
                        true));
    }

    @Override
    public synchronized Optional<TokenHolder> create(JobRecord job, ClientToken token) {
        ClientToken held = tokens.get(token.token());
        if (held != null && !held.expired(job.createdAt())) {
            return Optional.of(new TokenHolder(tokenJobs.get(token.token()), held.requestHash()));
        }
        create(job);
        tokens.put(token.token(), token);
        tokenJobs.put(token.token(), job.jobId());
        return Optional.empty();
    }

    @Override
    public synchronized boolean delete(String jobId) {
        Item item = items.get(jobId);
        if (item == null || item.job.state() != JobStatus.DELETION_IN_PROGRESS) {
            return false;
        }
        items.remove(jobId);
        counters.remove(jobId);
        return true;
    }

    @Override
    public synchronized Page<String> jobIds(String productId, String nextToken, int limit) {
        Page<JobRecord> page = list(Objects.requireNonNull(productId), nextToken, limit);
        return new Page<>(page.items().stream().map(JobRecord::jobId).toList(), page.nextToken());
    }

    @Override
    public synchronized Optional<JobRecord> find(String jobId) {
        return Optional.ofNullable(items.get(jobId)).map(i -> i.job);
    }

    @Override
    public synchronized Optional<JobStatus> state(String jobId) {
        return find(jobId).map(JobRecord::state);
    }

    @Override
    public synchronized JobCounts counts(String jobId) {
        return counters.getOrDefault(jobId, new Counters()).snapshot();
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
        String listing = productId == null ? "*" : "p/" + productId;
        String last = TableConventions.afterToken(nextToken, listing);
        List<JobRecord> listed = items.values().stream()
                .filter(i -> productId != null || i.listed)
                .map(i -> i.job)
                .filter(j -> productId == null || j.productId().equals(productId))
                .sorted(Comparator.comparing(JobRecord::createdAt)
                        .thenComparing(JobRecord::jobId)
                        .reversed())
                .toList();
        int from = 0;
        if (last != null) {
            from = -1;
            for (int i = 0; i < listed.size(); i++) {
                if (listed.get(i).jobId().equals(last)) {
                    from = i + 1;
                }
            }
            if (from < 0) {
                throw TableConventions.invalidToken();
            }
        }
        int to = Math.min(listed.size(), from + limit);
        return new Page<>(
                listed.subList(from, to),
                to < listed.size()
                        ? TableConventions.pageToken(listing, listed.get(to - 1).jobId())
                        : null);
    }

    @Override
    public synchronized List<String> liveJobIds() {
        return items.values().stream()
                .filter(i -> i.live)
                .map(i -> i.job.jobId())
                .sorted()
                .toList();
    }

    @Override
    public synchronized List<JobRecord> liveDynamicJobs(String productId) {
        dynamicQueries++;
        return items.values().stream()
                .filter(i -> i.dynamicActive && i.job.productId().equals(productId))
                .map(i -> i.job)
                .sorted(Comparator.comparing(JobRecord::createdAt).thenComparing(JobRecord::jobId))
                .toList();
    }

    @Override
    public boolean update(String jobId, JobPatch p) {
        beforeUpdate.runBefore(this);
        synchronized (this) {
            if (changesNothing(p)) {
                return true;
            }
            Item item = items.get(jobId);
            JobRecord j = item == null ? null : item.job;
            if (j == null
                    || p.conditionStates() != null && !p.conditionStates().contains(j.state())
                    || p.conditionOnPlanAt() && !Objects.equals(ms(p.conditionPlanAt()), j.planAt())
                    || p.conditionOnCursor() && !Objects.equals(p.conditionCursor(), j.cursor())
                    || p.conditionCurrentStage() != null && p.conditionCurrentStage() != j.currentStage()
                    || p.conditionDefinition() != null
                            && !p.conditionDefinition().equals(j.definition())) {
                return false;
            }
            item.job = patched(j, p);
            // REMOVE of the sparse index keys; only liveKey is ever set again (a deletion to finish).
            item.live = p.newLive() == null ? item.live : p.newLive();
            item.dynamicActive &= !Boolean.FALSE.equals(p.newDynamicActive());
            if (p.addedQueued() != 0) {
                counters(jobId).total.merge(ExecutionStatus.QUEUED, p.addedQueued(), Long::sum);
            }
            return true;
        }
    }

    /** The adapter builds no update expression from such a patch and returns true at once. */
    private static boolean changesNothing(JobPatch p) {
        return p.newState() == null
                && p.newDefinition() == null
                && p.newLive() == null
                && p.newCurrentStage() == null
                && p.newStageSizes() == null
                && p.newExpanded() == null
                && !p.setsCursor()
                && p.newSeqNext() == null
                && p.newHeartbeat() == null
                && p.newBudget() == null
                && p.newPlanAt() == null
                && p.newPausedByRule() == null
                && p.newResumedStage() == null
                && p.newWindowEnded() == null
                && p.newSwept() == null
                && p.newPausedBy() == null
                && p.newResumedBy() == null
                && p.newCanceledBy() == null
                && !Boolean.FALSE.equals(p.newDynamicActive())
                && p.addedTargets() == 0
                && p.addedQueued() == 0
                && p.addedInvalid() == 0
                && p.addedDuplicates() == 0;
    }

    // ---------------------------------------------------------------------------------------
    // What the rollout store's and the device store's transactions do to the Jobs table
    // ---------------------------------------------------------------------------------------

    /** {@code JobGuards.inProgress}: the job item exists and is IN_PROGRESS. */
    synchronized boolean inProgress(String jobId) {
        Item item = items.get(jobId);
        return item != null && item.job.state() == JobStatus.IN_PROGRESS;
    }

    /** {@code JobGuards.takesLateDevices}: the job still has its {@code dynamicProduct} key. */
    synchronized boolean takesLateDevices(String jobId) {
        Item item = items.get(jobId);
        return item != null && item.dynamicActive;
    }

    /** A late device joins the job: {@code ADD targetCount 1} (the caller checked {@link #takesLateDevices}). */
    synchronized void addTarget(String jobId) {
        Item item = items.get(jobId);
        // Only the record's part of the patch: the device's QUEUED count moves with its row.
        item.job = patched(item.job, JobPatch.patch().addExpanded(1, 0, 0));
    }

    /**
     * {@code JobCounters.move}: one execution moves from {@code from} (null: it is new) in group
     * {@code fromStage} to {@code to} in group {@code toStage}. Only a side in a group
     * ({@link JobCounts#inStage}: not QUEUED, not canceled while queued) moves a group's counts; a
     * move within the same status and group leaves the group counts alone; {@code retry} counts an
     * attempt after a device's first.
     */
    synchronized void move(
            String jobId, ExecutionStatus from, int fromStage, ExecutionStatus to, int toStage, boolean retry) {
        move(jobId, from, fromStage, to, toStage, retry ? 1 : 0);
    }

    synchronized void move(
            String jobId, ExecutionStatus from, int fromStage, ExecutionStatus to, int toStage, int retries) {
        Counters c = counters(jobId);
        if (from != to) {
            if (from != null) {
                c.total.merge(from, -1L, Long::sum);
            }
            c.total.merge(to, 1L, Long::sum);
        }
        boolean sameGroupAndStatus = from == to && fromStage == toStage;
        if (JobCounts.inStage(from, fromStage) && !sameGroupAndStatus) {
            c.addStage(fromStage, from, -1);
        }
        if (JobCounts.inStage(to, toStage) && !sameGroupAndStatus) {
            c.addStage(toStage, to, 1);
        }
        c.retries += retries;
    }

    @Override
    public synchronized void adjustCounts(String jobId, JobCounts delta) {
        Counters c = counters(jobId);
        delta.byStatus().forEach((status, n) -> {
            if (n != 0) {
                c.total.merge(status, n, Long::sum);
            }
        });
        delta.byStage()
                .forEach((stage, counts) -> counts.forEach((status, n) -> {
                    if (n != 0) {
                        c.addStage(stage, status, n);
                    }
                }));
    }

    /** Test hook: moves one counter without moving any row (a counter gone wrong). */
    public synchronized void corruptCount(String jobId, ExecutionStatus status, long delta) {
        counters(jobId).total.merge(status, delta, Long::sum);
    }

    private Counters counters(String jobId) {
        return counters.computeIfAbsent(jobId, k -> new Counters());
    }

    // ---------------------------------------------------------------------------------------
    // Test hooks
    // ---------------------------------------------------------------------------------------

    /**
     * Stores {@code job} exactly as given, replacing any job of that id: live unless it ended, taking
     * late devices if it is dynamic and has not ended, listed over all products if it has a
     * definition (a job item without one predates the {@code byCreated} index). For states the operations cannot produce
     * directly, and for job items of the update-devices function from before its jobs went through
     * the engine (no definition).
     */
    public synchronized void put(JobRecord job) {
        items.put(job.jobId(), new Item(job));
    }

    /** Runs {@code hook} once, right before the next {@link #update} reads the job. */
    public void beforeNextUpdate(Consumer<InMemoryJobRepository> hook) {
        beforeUpdate.set(1, hook);
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

    /** Devices per status that are not zero, for assertions. */
    public synchronized Map<ExecutionStatus, Long> statusCounts(String jobId) {
        Map<ExecutionStatus, Long> out = new EnumMap<>(ExecutionStatus.class);
        counts(jobId).byStatus().forEach((status, n) -> {
            if (n != 0) {
                out.put(status, n);
            }
        });
        return out;
    }

    /** Every job, in the order they were stored. */
    public synchronized List<JobRecord> all() {
        return items.values().stream().map(i -> i.job).toList();
    }
}
