package dev.ota.testing;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.device.DeviceId;
import dev.ota.port.out.RolloutStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

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
 *       first (any status but QUEUED and SKIPPED) counts as a retry.</li>
 * </ul>
 * Counters move with the row by {@link InMemoryJobRepository}'s copy of {@code JobCounters.move};
 * like the adapter, a queued cancellation counts in group 0 (its row has no group). A row's
 * {@code seq} (queue position) and due entry ({@code <jobId>#T} / {@code #R}, {@code dueAt}) follow
 * its status as {@code ExecutionRow.changes} sets them; {@link #putQueued} replaces whole rows (a
 * batch put); instants are kept to the millisecond.
 *
 * <p>The store attaches itself to the device store, whose {@code transition} and {@code assign}
 * then also write the row and the counters and check the job (see {@link InMemoryDeviceStateStore}).
 *
 * <p>Not modelled: index lag (every read here is consistent: {@link #withStatus}, {@link #due} and
 * the queue see a move at once), DynamoDB's page sizes ({@link #rows} returns a token only when
 * more rows follow; a token is valid only for the same job and status), the item size and
 * transaction limits, and an {@link #enqueueLate} on a device with no item (the adapter's
 * {@code DELETE waitingJobs} would create a bare item; here nothing is created). Ties are broken by
 * device name (same queue position, same due time), where DynamoDB's order is unspecified.
 *
 * <p>Thread-safe: every method holds the device store's monitor (then the repository's), the one
 * lock of a move.
 */
public final class InMemoryRolloutStore implements RolloutStore {

    /** One Executions row, with its index keys. */
    private static final class Row {
        final String jobId;
        final String deviceName;
        String productId;
        ExecutionStatus status;
        /** byQueue: set while QUEUED. */
        Long seq;
        Long expBatch;
        /** byDue: the kind and the epoch millis, or null. */
        DueKind dueKind;
        Long dueAt;
        int stage;
        String heldBy;
        String targetVersion;
        String fromVersion;
        int attempt;
        int percent;
        int resultCode;
        String resultMsg = "";
        Instant updatedAt;

        Row(String jobId, String deviceName) {
            this.jobId = jobId;
            this.deviceName = deviceName;
        }

        RowView view() {
            return new RowView(jobId, deviceName, status, percent, resultCode, resultMsg, fromVersion, targetVersion, attempt, updatedAt,
                    stage, heldBy);
        }

        /** {@code ExecutionRow.changes}: the execution's attributes; queue and due keys follow its status. */
        void set(DeviceId device, Execution e) {
            productId = device.productId();
            status = e.status();
            attempt = e.attempt();
            percent = e.percent();
            resultCode = e.resultCode();
            resultMsg = e.resultMsg();
            fromVersion = e.fromVersion();
            targetVersion = e.targetVersion();
            updatedAt = ms(e.updatedAt());
            stage = e.stage();
            seq = null;
            heldBy = null;
            Instant due = e.dueAt();
            if (due == null) {
                dueKind = null;
                dueAt = null;
            } else {
                dueKind = e.status() == ExecutionStatus.RETRY_PENDING ? DueKind.RETRY : DueKind.TIMEOUT;
                dueAt = due.toEpochMilli();
            }
        }

        /** A QUEUED row leaves the queue for {@code to} without an attempt (skip, cancel). */
        void leaveQueue(ExecutionStatus to, String reason, Instant at) {
            status = to;
            resultMsg = reason;
            updatedAt = ms(at);
            seq = null;
            dueKind = null;
            dueAt = null;
        }
    }

    private final InMemoryJobRepository jobs;
    private final InMemoryDeviceStateStore devices;
    /** The lock of every move: the device store's monitor. */
    private final Object lock;
    private final Map<String, TreeMap<String, Row>> rows = new HashMap<>();

    public InMemoryRolloutStore(InMemoryDeviceStateStore devices, InMemoryJobRepository jobs) {
        this.jobs = jobs;
        this.devices = devices;
        this.lock = devices;
        devices.mirrorTo(new Mirror());
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
    public void putQueued(String jobId, String productId, String targetVersion, long batchMark, List<QueuedDevice> queued, Instant at) {
        synchronized (lock) {
            for (QueuedDevice q : queued) {
                Row row = new Row(jobId, q.deviceName());
                row.productId = productId;
                row.status = ExecutionStatus.QUEUED;
                row.seq = q.seq();
                row.expBatch = batchMark;
                row.targetVersion = targetVersion;
                row.fromVersion = q.fromVersion();
                row.updatedAt = ms(at);
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
        synchronized (lock) {
            return table(jobId).values().stream()
                    .filter(r -> r.seq != null && r.seq >= fromSeq && r.seq <= toSeq)
                    .sorted(Comparator.comparing((Row r) -> r.seq).thenComparing(r -> r.deviceName))
                    .limit(limit)
                    .map(r -> new QueuedRef(r.deviceName, r.seq))
                    .toList();
        }
    }

    @Override
    public List<String> due(String jobId, DueKind kind, Instant now, int limit) {
        synchronized (lock) {
            long until = now.toEpochMilli();
            return table(jobId).values().stream()
                    .filter(r -> r.dueKind == kind && r.dueAt <= until)
                    .sorted(Comparator.comparing((Row r) -> r.dueAt).thenComparing(r -> r.deviceName))
                    .limit(limit)
                    .map(r -> r.deviceName)
                    .toList();
        }
    }

    @Override
    public List<String> withStatus(String jobId, ExecutionStatus status, int limit) {
        synchronized (lock) {
            return table(jobId).values().stream().filter(r -> r.status == status).limit(limit).map(r -> r.deviceName).toList();
        }
    }

    @Override
    public Page<RowView> rows(String jobId, ExecutionStatus status, String nextToken, int limit) {
        synchronized (lock) {
            String scope = jobId + "\n" + (status == null ? "*" : status.name());
            String after = nextToken == null ? null : decodeToken(nextToken, scope);
            List<Row> matching = table(jobId).values().stream()
                    .filter(r -> status == null || r.status == status)
                    .filter(r -> after == null || r.deviceName.compareTo(after) > 0)
                    .toList();
            List<RowView> page = matching.stream().limit(limit).map(Row::view).toList();
            String token = matching.size() > limit ? encodeToken(scope, page.get(page.size() - 1).deviceName()) : null;
            return new Page<>(page, token);
        }
    }

    @Override
    public Optional<RowView> row(String jobId, String deviceName) {
        synchronized (lock) {
            Row row = row0(jobId, deviceName);
            return row == null ? Optional.empty() : Optional.of(row.view());
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
        synchronized (lock) {
            String jobId = execution.jobId();
            Row row = row0(jobId, device.deviceName());
            DeviceState state = devices.get(device);
            boolean jobActive = jobs.inProgress(jobId);
            boolean queued = row != null && row.status == ExecutionStatus.QUEUED;
            boolean free = isFree(state) && (state == null || !execution.targetVersion().equals(state.currentVersion()));
            if (!jobActive) {
                return ReleaseResult.JOB_NOT_ACTIVE;
            }
            if (!queued) {
                return ReleaseResult.NOT_QUEUED;
            }
            if (!free) {
                return ReleaseResult.DEVICE_TAKEN;
            }
            devices.put(state == null ? new DeviceState(device, null, null, execution)
                    : new DeviceState(device, state.currentVersion(), state.lastSeenAt(), execution, state.waitingJobs()));
            row.set(device, execution);
            jobs.move(jobId, ExecutionStatus.QUEUED, execution.stage(), execution.status(), execution.stage(), false);
            return ReleaseResult.RELEASED;
        }
    }

    @Override
    public boolean skip(DeviceId device, String jobId, int stage, String reason, String heldBy, boolean waitForDevice, Instant at) {
        synchronized (lock) {
            Row row = row0(jobId, device.deviceName());
            if (row == null || row.status != ExecutionStatus.QUEUED) {
                return false;
            }
            row.leaveQueue(ExecutionStatus.SKIPPED, reason, at);
            row.stage = stage;
            row.heldBy = heldBy;
            jobs.move(jobId, ExecutionStatus.QUEUED, stage, ExecutionStatus.SKIPPED, stage, false);
            if (waitForDevice) {
                DeviceState state = devices.get(device);
                Set<String> waiting = new HashSet<>(state == null ? Set.of() : state.waitingJobs());
                waiting.add(jobId);
                devices.put(state == null ? new DeviceState(device, null, null, null, waiting)
                        : new DeviceState(device, state.currentVersion(), state.lastSeenAt(), state.execution(), waiting));
            }
            return true;
        }
    }

    @Override
    public boolean cancelQueued(DeviceId device, String jobId, String reason, Instant at) {
        synchronized (lock) {
            Row row = row0(jobId, device.deviceName());
            if (row == null || row.status != ExecutionStatus.QUEUED) {
                return false;
            }
            row.leaveQueue(ExecutionStatus.CANCELED, reason, at);
            jobs.move(jobId, ExecutionStatus.QUEUED, 0, ExecutionStatus.CANCELED, 0, false);
            return true;
        }
    }

    @Override
    public boolean enqueueLate(DeviceId device, String jobId, String productId, String targetVersion, String fromVersion, long seq, Instant at) {
        synchronized (lock) {
            Row existing = row0(jobId, device.deviceName());
            if (existing != null && existing.status != ExecutionStatus.SKIPPED) {
                return false;
            }
            if (!jobs.takesLateDevices(jobId)) {
                return false;
            }
            Row row = existing != null ? existing : new Row(jobId, device.deviceName());
            int stage = row.stage;
            row.productId = productId;
            row.status = ExecutionStatus.QUEUED;
            row.seq = seq;
            row.targetVersion = targetVersion;
            row.fromVersion = fromVersion;
            row.attempt = 0;
            row.percent = 0;
            row.resultCode = 0;
            row.resultMsg = "";
            row.updatedAt = ms(at);
            row.heldBy = null;
            if (existing == null) {
                table(jobId).put(device.deviceName(), row);
                jobs.move(jobId, null, 0, ExecutionStatus.QUEUED, 0, false);
                jobs.addTarget(jobId);
            } else {
                jobs.move(jobId, ExecutionStatus.SKIPPED, stage, ExecutionStatus.QUEUED, stage, false);
            }
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
            if (!isFree(state) || row == null || row.status != expected.status() || !jobs.inProgress(jobId)) {
                return false;
            }
            devices.put(state == null ? new DeviceState(device, null, null, after)
                    : new DeviceState(device, state.currentVersion(), state.lastSeenAt(), after, state.waitingJobs()));
            leaveWaiting(device, jobId);
            row.set(device, after);
            boolean retry = expected.status() != ExecutionStatus.QUEUED && expected.status() != ExecutionStatus.SKIPPED;
            jobs.move(jobId, expected.status(), expected.stage(), after.status(), after.stage(), retry);
            return true;
        }
    }

    // ---- test views ----

    /** Every row of the job, by device name. */
    public List<RowView> rowsOf(String jobId) {
        synchronized (lock) {
            return table(jobId).values().stream().map(Row::view).toList();
        }
    }

    /** The row's queue position while it is QUEUED, else null. */
    public Long seq(String jobId, String deviceName) {
        synchronized (lock) {
            Row row = row0(jobId, deviceName);
            return row == null ? null : row.seq;
        }
    }

    /** The row's expansion batch mark, or null (no row, or a row expansion did not write). */
    public Long expansionMark(String jobId, String deviceName) {
        synchronized (lock) {
            Row row = row0(jobId, deviceName);
            return row == null ? null : row.expBatch;
        }
    }

    /** When the row falls due (timeout or retry), or null when it is not in the due index. */
    public Instant dueAt(String jobId, String deviceName) {
        synchronized (lock) {
            Row row = row0(jobId, deviceName);
            return row == null || row.dueAt == null ? null : Instant.ofEpochMilli(row.dueAt);
        }
    }

    // ---- the device store's transactions ----

    /** What {@code DynamoDbDeviceStateStore.transition} and {@code assign} write besides the device item. */
    private final class Mirror implements InMemoryDeviceStateStore.ExecutionMirror {

        @Override
        public boolean transition(DeviceId device, Execution before, Execution after) {
            synchronized (lock) {
                boolean startsAttempt = after.startsAttemptFrom(before);
                if (startsAttempt && !jobs.inProgress(after.jobId())) {
                    return false;
                }
                table(after.jobId()).computeIfAbsent(device.deviceName(), name -> new Row(after.jobId(), name)).set(device, after);
                if (before.status() != after.status() || before.stage() != after.stage() || startsAttempt) {
                    jobs.move(after.jobId(), before.status(), before.stage(), after.status(), after.stage(), startsAttempt);
                }
                return true;
            }
        }

        @Override
        public boolean assign(DeviceId device, Execution execution) {
            synchronized (lock) {
                if (row0(execution.jobId(), device.deviceName()) != null || !jobs.exists(execution.jobId())) {
                    return false;
                }
                Row row = new Row(execution.jobId(), device.deviceName());
                row.set(device, execution);
                table(execution.jobId()).put(device.deviceName(), row);
                jobs.move(execution.jobId(), null, 0, execution.status(), execution.stage(), false);
                return true;
            }
        }
    }

    // ---- plumbing ----

    private TreeMap<String, Row> table(String jobId) {
        return rows.computeIfAbsent(jobId, k -> new TreeMap<>());
    }

    private Row row0(String jobId, String deviceName) {
        TreeMap<String, Row> t = rows.get(jobId);
        return t == null ? null : t.get(deviceName);
    }

    /** {@code DeviceItem.isFree}: no execution, or a terminal one. */
    private static boolean isFree(DeviceState state) {
        return state == null || state.liveExecution().isEmpty();
    }

    private void leaveWaiting(DeviceId device, String jobId) {
        DeviceState state = devices.get(device);
        if (state != null && state.waitingJobs().contains(jobId)) {
            Set<String> waiting = new HashSet<>(state.waitingJobs());
            waiting.remove(jobId);
            devices.put(new DeviceState(device, state.currentVersion(), state.lastSeenAt(), state.execution(), waiting));
        }
    }

    private static Instant ms(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS);
    }

    private static String encodeToken(String scope, String deviceName) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((scope + "\n" + deviceName).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token, String scope) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw InMemoryJobRepository.invalidToken();
        }
        if (token.isEmpty() || !text.startsWith(scope + "\n")) {
            throw InMemoryJobRepository.invalidToken();
        }
        return text.substring(scope.length() + 1);
    }
}
