package dev.ota.testing;

import static dev.ota.testing.TableConventions.ms;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import dev.ota.port.out.RolloutStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The {@link RolloutStore} contract in memory, with the semantics of {@code DynamoDbRolloutStore}:
 * the Executions rows live here, the device items in an {@link InMemoryDeviceStateStore} and the
 * job items and counters in an {@link InMemoryJobRepository}, and every move changes all three or
 * none, as one DynamoDB transaction does.
 *
 * <p>What each move checks, and what it refuses with (as the adapter's transaction does):
 * <ul>
 *   <li>{@link #release}: the job is IN_PROGRESS (else {@code JOB_NOT_ACTIVE}), the row is QUEUED
 *       (else {@code NOT_QUEUED}), the device holds no live execution and does not run the target
 *       (else {@code DEVICE_TAKEN}), reported in that order of precedence when several fail. A
 *       device with no item gets one.</li>
 *   <li>{@link #skip}, {@link #cancelQueued}: the row is QUEUED, else false. A skip that waits for
 *       the device adds the job to its {@code waitingJobs} (creating the item if there is none).</li>
 *   <li>{@link #enqueueLate}: false when the job has a row for the device that is not SKIPPED; a
 *       new row needs none there and the job to take late devices ({@code dynamicProduct}; it also
 *       adds one target), a SKIPPED row needs the same; the job leaves the device's {@code waitingJobs}.</li>
 *   <li>{@link #restart}: the device is free, the row still has the status the caller read, the job
 *       is IN_PROGRESS; the job leaves the device's {@code waitingJobs}; an attempt after a device's
 *       first (the row had an attempt) counts as a retry.</li>
 *   <li>A device transition through the device store (the device protocol, the due worker, the
 *       sweeper): the row takes the execution and the counters move; one that starts an attempt
 *       needs the job IN_PROGRESS (a job the repository does not know is not, as in the adapter).</li>
 * </ul>
 * Counters move with the row by {@link InMemoryJobRepository}'s copy of {@code JobCounters.move}.
 * A row is in no group ({@link JobCounts#NO_STAGE}) until its device is released or skipped, and
 * again once it is queued again or canceled while queued; a queued cancellation moves no group's
 * counts. A row's {@code seq} (queue position) and due entry ({@code <jobId>#T} / {@code #R},
 * {@code dueAt}) follow its status as {@code ExecutionRow.changes} sets them; {@link #putQueued}
 * replaces whole rows (a batch put); instants are kept to the millisecond.
 *
 * <p>Not modelled: index lag (every read here is consistent: {@link #withStatus}, {@link #due} and
 * the queue see a move at once), DynamoDB's page sizes ({@link #rows} returns a token only when
 * more rows follow; a token is valid only for the same job and status), the item size and
 * transaction limits, and an {@link #enqueueLate} on a device with no item (the adapter's
 * {@code DELETE waitingJobs} would create a bare item; here nothing is created). Ties are broken by
 * device name (same queue position, same due time), where DynamoDB's order is unspecified.
 *
 * <p>Test hooks: {@link #beforeNextRelease} (e.g. another job takes the device first), and the
 * views {@link #rowsOf}, {@link #seq}, {@link #expansionMark}, {@link #dueAt}. Thread-safe: every
 * method holds the device store's monitor, the one lock of a move; hooks run outside it.
 */
public final class InMemoryRolloutStore implements RolloutStore {

    /** One Executions row: what the port shows of it, plus its index keys. */
    private static final class Row {
        RowView view;
        String productId;
        /** byQueue: set while QUEUED. */
        Long seq;

        Long expBatch;
        /** byDue: the kind and the epoch millis, or null. */
        DueKind dueKind;

        Long dueAt;

        /** QUEUED at {@code position}, before any attempt and in no group ({@code putQueued}, {@code enqueueLate}). */
        Row(String jobId, String deviceName, String product, String target, String from, long position, Instant at) {
            view = new RowView(
                    jobId,
                    deviceName,
                    ExecutionStatus.QUEUED,
                    0,
                    0,
                    "",
                    from,
                    target,
                    0,
                    ms(at),
                    JobCounts.NO_STAGE,
                    null);
            productId = product;
            seq = position;
        }

        /**
         * {@code ExecutionRow.changes}: the execution's attributes, its status as the job records it
         * ({@code ExecutionStatus.recorded}); queue and due keys follow its status.
         */
        void set(DeviceId device, Execution e) {
            view = new RowView(
                    view.jobId(),
                    view.deviceName(),
                    e.status().recorded(),
                    e.percent(),
                    e.resultCode(),
                    e.resultMsg(),
                    e.fromVersion(),
                    e.targetVersion(),
                    e.attempt(),
                    ms(e.updatedAt()),
                    e.stage(),
                    null);
            productId = device.productId();
            seq = null;
            Instant due = e.dueAt();
            dueKind =
                    due == null ? null : e.status() == ExecutionStatus.RETRY_PENDING ? DueKind.RETRY : DueKind.TIMEOUT;
            dueAt = due == null ? null : due.toEpochMilli();
        }

        /** A QUEUED row leaves the queue for {@code to} in group {@code stage} without an attempt (skip, cancel). */
        void leaveQueue(ExecutionStatus to, int stage, String reason, String heldBy, Instant at) {
            RowView v = view;
            view = new RowView(
                    v.jobId(),
                    v.deviceName(),
                    to,
                    v.percent(),
                    v.resultCode(),
                    reason,
                    v.fromVersion(),
                    v.targetVersion(),
                    v.attempt(),
                    ms(at),
                    stage,
                    heldBy);
            seq = null;
            dueKind = null;
            dueAt = null;
        }

        String deviceName() {
            return view.deviceName();
        }

        ExecutionStatus status() {
            return view.status();
        }
    }

    private final InMemoryJobRepository jobs;
    private final InMemoryDeviceStateStore devices;
    /** The lock of every move: the device store's monitor. */
    private final Object lock;

    private final Map<String, TreeMap<String, Row>> rows = new HashMap<>();
    private final NextCalls<InMemoryRolloutStore> beforeRelease = new NextCalls<>();
    private final NextCalls<InMemoryRolloutStore> beforeRows = new NextCalls<>();

    public InMemoryRolloutStore(InMemoryDeviceStateStore devices, InMemoryJobRepository jobs) {
        this.jobs = jobs;
        this.devices = devices;
        this.lock = devices;
        devices.mirrorTo(this::mirrorTransition);
    }

    // ---- expansion ----

    @Override
    public Map<String, Long> expansionMarks(String jobId, Collection<String> deviceNames) {
        synchronized (lock) {
            Map<String, Long> marks = new HashMap<>();
            for (String name : deviceNames) {
                Row row = row0(jobId, name);
                if (row != null) {
                    marks.put(name, row.expBatch == null ? -1L : row.expBatch);
                }
            }
            return marks;
        }
    }

    @Override
    public void putQueued(
            String jobId,
            String productId,
            String targetVersion,
            long batchMark,
            List<QueuedDevice> queued,
            Instant at) {
        synchronized (lock) {
            for (QueuedDevice q : queued) {
                Row row = new Row(jobId, q.deviceName(), productId, targetVersion, q.fromVersion(), q.seq(), at);
                row.expBatch = batchMark;
                table(jobId).put(q.deviceName(), row);
            }
        }
    }

    // ---- reads ----

    @Override
    public List<QueuedRef> nextQueued(String jobId, int limit) {
        return queued(jobId, Long.MIN_VALUE, Long.MAX_VALUE, limit);
    }

    @Override
    public List<QueuedRef> queuedBetween(String jobId, long fromSeq, long toSeq) {
        return queued(jobId, fromSeq, toSeq, Integer.MAX_VALUE);
    }

    private List<QueuedRef> queued(String jobId, long fromSeq, long toSeq, int limit) {
        return select(
                jobId,
                r -> r.seq != null && r.seq >= fromSeq && r.seq <= toSeq,
                Comparator.comparing(r -> r.seq),
                limit,
                r -> new QueuedRef(r.deviceName(), r.seq));
    }

    @Override
    public List<String> due(String jobId, DueKind kind, Instant now, int limit) {
        long until = now.toEpochMilli();
        return select(
                jobId,
                r -> r.dueKind == kind && r.dueAt <= until,
                Comparator.comparing(r -> r.dueAt),
                limit,
                Row::deviceName);
    }

    @Override
    public void rearm(DeviceId device, Execution execution) {
        synchronized (lock) {
            Row row = row0(execution.jobId(), device.deviceName());
            Instant due = execution.dueAt();
            if (row != null
                    && row.status() == execution.status().recorded()
                    && row.view.attempt() == execution.attempt()) {
                row.dueKind = due == null ? null : row.dueKind;
                row.dueAt = due == null ? null : due.toEpochMilli();
            }
        }
    }

    @Override
    public List<String> withStatus(String jobId, ExecutionStatus status, int limit) {
        return select(jobId, r -> r.status() == status, null, limit, Row::deviceName);
    }

    @Override
    public Page<RowView> rows(String jobId, ExecutionStatus status, String nextToken, int limit) {
        beforeRows.runBefore(this);
        String listing = jobId + "\n" + (status == null ? "*" : status.name());
        String after = TableConventions.afterToken(nextToken, listing);
        List<RowView> matching = select(
                jobId,
                r -> (status == null || r.status() == status)
                        && (after == null || r.deviceName().compareTo(after) > 0),
                null,
                limit + 1,
                r -> r.view);
        List<RowView> page = matching.subList(0, Math.min(limit, matching.size()));
        String token = matching.size() > limit
                ? TableConventions.pageToken(listing, page.get(page.size() - 1).deviceName())
                : null;
        return new Page<>(page, token);
    }

    @Override
    public List<RowView> deviceRows(String deviceName, List<String> jobIds) {
        synchronized (lock) {
            List<RowView> out = new ArrayList<>();
            for (String jobId : jobIds) {
                Row row = row0(jobId, deviceName);
                if (row != null) {
                    out.add(row.view);
                }
            }
            return out;
        }
    }

    @Override
    public int deleteRows(String jobId, int limit) {
        synchronized (lock) {
            TreeMap<String, Row> t = rows.get(jobId);
            if (t == null) {
                return 0;
            }
            int deleted = 0;
            while (deleted < limit && !t.isEmpty()) {
                t.pollFirstEntry();
                deleted++;
            }
            return deleted;
        }
    }

    @Override
    public Optional<RowView> row(String jobId, String deviceName) {
        synchronized (lock) {
            return Optional.ofNullable(row0(jobId, deviceName)).map(r -> r.view);
        }
    }

    @Override
    public Map<String, DeviceState> devices(String productId, Collection<String> deviceNames) {
        synchronized (lock) {
            Map<String, DeviceState> states = new HashMap<>();
            for (String name : deviceNames) {
                DeviceState state = devices.get(new DeviceId(productId, name));
                if (state != null) {
                    states.put(name, state);
                }
            }
            return states;
        }
    }

    // ---- moves ----

    @Override
    public ReleaseResult release(DeviceId device, Execution execution) {
        beforeRelease.runBefore(this);
        synchronized (lock) {
            String jobId = execution.jobId();
            Row row = row0(jobId, device.deviceName());
            DeviceState state = devices.get(device);
            if (!jobs.inProgress(jobId)) {
                return ReleaseResult.JOB_NOT_ACTIVE;
            }
            if (row == null || row.status() != ExecutionStatus.QUEUED) {
                return ReleaseResult.NOT_QUEUED;
            }
            if (!isFree(state) || state != null && execution.targetVersion().equals(state.currentVersion())) {
                return ReleaseResult.DEVICE_TAKEN;
            }
            devices.putExecution(device, execution, waiting(state));
            row.set(device, execution);
            jobs.move(jobId, ExecutionStatus.QUEUED, execution.stage(), execution.status(), execution.stage(), false);
            return ReleaseResult.RELEASED;
        }
    }

    @Override
    public boolean skip(
            DeviceId device, String jobId, int stage, String reason, String heldBy, boolean waitForDevice, Instant at) {
        synchronized (lock) {
            Row row = queuedRow(jobId, device);
            if (row == null) {
                return false;
            }
            row.leaveQueue(ExecutionStatus.SKIPPED, stage, reason, heldBy, at);
            jobs.move(jobId, ExecutionStatus.QUEUED, stage, ExecutionStatus.SKIPPED, stage, false);
            if (waitForDevice) {
                DeviceState state = devices.get(device);
                Set<String> waiting = waiting(state);
                waiting.add(jobId);
                devices.putExecution(device, state == null ? null : state.execution(), waiting);
            }
            return true;
        }
    }

    @Override
    public boolean cancelQueued(DeviceId device, String jobId, String reason, Instant at) {
        synchronized (lock) {
            Row row = queuedRow(jobId, device);
            if (row == null) {
                return false;
            }
            row.leaveQueue(ExecutionStatus.CANCELED, JobCounts.NO_STAGE, reason, null, at);
            jobs.move(
                    jobId,
                    ExecutionStatus.QUEUED,
                    JobCounts.NO_STAGE,
                    ExecutionStatus.CANCELED,
                    JobCounts.NO_STAGE,
                    false);
            return true;
        }
    }

    @Override
    public boolean enqueueLate(
            DeviceId device,
            String jobId,
            String productId,
            String targetVersion,
            String fromVersion,
            long seq,
            Instant at) {
        synchronized (lock) {
            Row existing = row0(jobId, device.deviceName());
            if (existing != null && existing.status() != ExecutionStatus.SKIPPED || !jobs.takesLateDevices(jobId)) {
                return false;
            }
            if (existing == null) {
                jobs.move(jobId, null, JobCounts.NO_STAGE, ExecutionStatus.QUEUED, JobCounts.NO_STAGE, false);
                jobs.addTarget(jobId);
            } else {
                jobs.move(
                        jobId,
                        ExecutionStatus.SKIPPED,
                        existing.view.stage(),
                        ExecutionStatus.QUEUED,
                        JobCounts.NO_STAGE,
                        false);
            }
            Row row = new Row(jobId, device.deviceName(), productId, targetVersion, fromVersion, seq, at);
            row.expBatch = existing == null ? null : existing.expBatch;
            table(jobId).put(device.deviceName(), row);
            leaveWaiting(device, jobId);
            return true;
        }
    }

    @Override
    public boolean restart(DeviceId device, RowView expected, Execution after) {
        synchronized (lock) {
            String jobId = after.jobId();
            Row row = row0(jobId, device.deviceName());
            DeviceState state = devices.get(device);
            if (!isFree(state) || row == null || row.status() != expected.status() || !jobs.inProgress(jobId)) {
                return false;
            }
            Set<String> waiting = waiting(state);
            waiting.remove(jobId);
            devices.putExecution(device, after, waiting);
            row.set(device, after);
            boolean retry = expected.attempt() > 0;
            jobs.move(jobId, expected.status(), expected.stage(), after.status(), after.stage(), retry);
            return true;
        }
    }

    /** {@code DynamoDbDeviceStateStore.transition} beside the device item: the row, the counters, the job guard of a new attempt. */
    private boolean mirrorTransition(DeviceId device, Execution before, Execution after) {
        synchronized (lock) {
            boolean startsAttempt = after.startsAttemptFrom(before);
            if (startsAttempt && !jobs.inProgress(after.jobId())) {
                return false;
            }
            int retries = after.retriesAddedFrom(before);
            if (after.withinDeliveryOf(before) && !startsAttempt && retries == 0) {
                // The adapter writes the device item alone: the row and counters keep the delivery.
                return true;
            }
            // ExecutionRow.upsert: an update without a condition, which writes the row if there is none.
            table(after.jobId())
                    .computeIfAbsent(
                            device.deviceName(),
                            name -> new Row(
                                    after.jobId(),
                                    name,
                                    device.productId(),
                                    after.targetVersion(),
                                    after.fromVersion(),
                                    0,
                                    null))
                    .set(device, after);
            ExecutionStatus from = before.status().recorded();
            ExecutionStatus to = after.status().recorded();
            if (from != to || before.stage() != after.stage() || retries != 0) {
                jobs.move(after.jobId(), from, before.stage(), to, after.stage(), retries);
            }
            return true;
        }
    }

    // ---- test hooks and views ----

    /** Runs {@code hook} once, right before the next release: e.g. another job takes the device first. */
    public void beforeNextRelease(Runnable hook) {
        beforeRelease.set(1, store -> hook.run());
    }

    /** Runs {@code hook} once, right before the next page of rows is read: e.g. a device moves during a recount. */
    public void beforeNextRows(Consumer<InMemoryRolloutStore> hook) {
        beforeRows.set(1, hook);
    }

    /** Every row of the job, by device name. */
    public List<RowView> rowsOf(String jobId) {
        return select(jobId, r -> true, null, Integer.MAX_VALUE, r -> r.view);
    }

    /** The row's queue position while it is QUEUED, else null. */
    public Long seq(String jobId, String deviceName) {
        return field(jobId, deviceName, r -> r.seq);
    }

    /** The row's expansion batch mark, or null (no row, or a row expansion did not write). */
    public Long expansionMark(String jobId, String deviceName) {
        return field(jobId, deviceName, r -> r.expBatch);
    }

    /** When the row falls due (timeout or retry), or null when it is not in the due index. */
    public Instant dueAt(String jobId, String deviceName) {
        return field(jobId, deviceName, r -> r.dueAt == null ? null : Instant.ofEpochMilli(r.dueAt));
    }

    // ---- plumbing ----

    private TreeMap<String, Row> table(String jobId) {
        return rows.computeIfAbsent(jobId, k -> new TreeMap<>());
    }

    private Row row0(String jobId, String deviceName) {
        TreeMap<String, Row> t = rows.get(jobId);
        return t == null ? null : t.get(deviceName);
    }

    private Row queuedRow(String jobId, DeviceId device) {
        Row row = row0(jobId, device.deviceName());
        return row == null || row.status() != ExecutionStatus.QUEUED ? null : row;
    }

    /** The job's rows that match, in {@code order} (null: by device name) then by device name, at most {@code limit}, read {@code as}. */
    private <T> List<T> select(
            String jobId, Predicate<Row> which, Comparator<Row> order, int limit, Function<Row, T> as) {
        synchronized (lock) {
            Comparator<Row> byName = Comparator.comparing(Row::deviceName);
            return table(jobId).values().stream()
                    .filter(which)
                    .sorted(order == null ? byName : order.thenComparing(byName))
                    .limit(limit)
                    .map(as)
                    .toList();
        }
    }

    private <T> T field(String jobId, String deviceName, Function<Row, T> field) {
        synchronized (lock) {
            Row row = row0(jobId, deviceName);
            return row == null ? null : field.apply(row);
        }
    }

    /** {@code DeviceItem.isFree}: no execution, or a terminal one. */
    private static boolean isFree(DeviceState state) {
        return state == null || state.liveExecution().isEmpty();
    }

    /** A mutable copy of the device's waiting jobs. */
    private static Set<String> waiting(DeviceState state) {
        return new HashSet<>(state == null ? Set.of() : state.waitingJobs());
    }

    private void leaveWaiting(DeviceId device, String jobId) {
        DeviceState state = devices.get(device);
        if (state != null && state.waitingJobs().contains(jobId)) {
            Set<String> waiting = waiting(state);
            waiting.remove(jobId);
            devices.putExecution(device, state.execution(), waiting);
        }
    }
}
