package dev.ota.testing;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobStatus;
import dev.ota.port.out.RolloutStore;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The {@link RolloutStore} contract in memory: the Executions rows of each job, over the devices of
 * an {@link InMemoryDeviceStateStore} and the counts of an {@link InMemoryJobRepository}. Each move
 * checks what the real store's transaction checks (the device is free and not on the target, the
 * row is still in the status it was read in, the job is IN_PROGRESS) and changes the row, the
 * device and the counts together. Device transitions made through the device store (the device
 * protocol) are mirrored onto the rows and counts the same way; a new attempt of a job the
 * repository does not know is let through, so tests may give devices executions of made-up jobs.
 */
public final class InMemoryRolloutStore implements RolloutStore {

    private static final class Row {
        final String jobId;
        final String deviceName;
        String productId;
        ExecutionStatus status = ExecutionStatus.QUEUED;
        Long seq;
        long mark = -1;
        String fromVersion;
        String targetVersion;
        int percent;
        int attempt;
        int resultCode;
        String resultMsg = "";
        Instant updatedAt;
        int stage;
        String heldBy;
        Instant dueAt;
        boolean dueRetry;

        Row(String jobId, String deviceName) {
            this.jobId = jobId;
            this.deviceName = deviceName;
        }

        RowView view() {
            return new RowView(jobId, deviceName, status, percent, resultCode, resultMsg, fromVersion, targetVersion, attempt, updatedAt,
                    stage, heldBy);
        }

        void take(DeviceId device, Execution e) {
            productId = device.productId();
            status = e.status();
            attempt = e.attempt();
            percent = e.percent();
            resultCode = e.resultCode();
            resultMsg = e.resultMsg();
            fromVersion = e.fromVersion();
            targetVersion = e.targetVersion();
            updatedAt = e.updatedAt();
            stage = e.stage();
            seq = null;
            heldBy = null;
            dueAt = e.dueAt();
            dueRetry = e.status() == ExecutionStatus.RETRY_PENDING;
        }

        void leaveQueue(ExecutionStatus to, String reason, Instant at) {
            status = to;
            resultMsg = reason;
            updatedAt = at;
            seq = null;
            dueAt = null;
        }
    }

    private final Map<String, TreeMap<String, Row>> rows = new HashMap<>();
    private final InMemoryDeviceStateStore devices;
    private final InMemoryJobRepository jobs;
    private Runnable releaseHook;

    public InMemoryRolloutStore(InMemoryDeviceStateStore devices, InMemoryJobRepository jobs) {
        this.devices = devices;
        this.jobs = jobs;
        devices.mirrorTo(new InMemoryDeviceStateStore.ExecutionMirror() {
            @Override
            public boolean admits(DeviceId device, Execution before, Execution after) {
                return !after.startsAttemptFrom(before) || jobs.find(after.jobId()).isEmpty() || inProgress(after.jobId());
            }

            @Override
            public void moved(DeviceId device, Execution before, Execution after) {
                row(after.jobId(), device.deviceName(), true).take(device, after);
                boolean startsAttempt = after.startsAttemptFrom(before);
                if (before.status() != after.status() || before.stage() != after.stage() || startsAttempt) {
                    jobs.move(after.jobId(), before.status(), before.stage(), after.status(), after.stage(), startsAttempt);
                }
            }
        });
    }

    private Row row(String jobId, String deviceName, boolean create) {
        TreeMap<String, Row> job = rows.computeIfAbsent(jobId, k -> new TreeMap<>());
        return create ? job.computeIfAbsent(deviceName, name -> new Row(jobId, name)) : job.get(deviceName);
    }

    private List<Row> rows(String jobId, Predicate<Row> which) {
        return rows.getOrDefault(jobId, new TreeMap<>()).values().stream().filter(which).toList();
    }

    private boolean inProgress(String jobId) {
        return jobs.state(jobId).filter(s -> s == JobStatus.IN_PROGRESS).isPresent();
    }

    private static boolean free(DeviceState state) {
        return state == null || state.liveExecution().isEmpty();
    }

    // ---- expansion ----

    @Override
    public Map<String, Long> expansionMarks(String jobId, Collection<String> deviceNames) {
        Map<String, Long> marks = new HashMap<>();
        for (String name : deviceNames) {
            Row r = row(jobId, name, false);
            if (r != null) {
                marks.put(name, r.mark);
            }
        }
        return marks;
    }

    @Override
    public void putQueued(String jobId, String productId, String targetVersion, long batchMark, List<QueuedDevice> queued, Instant at) {
        for (QueuedDevice q : queued) {
            Row r = new Row(jobId, q.deviceName());
            r.productId = productId;
            r.seq = q.seq();
            r.mark = batchMark;
            r.fromVersion = q.fromVersion();
            r.targetVersion = targetVersion;
            r.updatedAt = at;
            rows.computeIfAbsent(jobId, k -> new TreeMap<>()).put(q.deviceName(), r);
        }
    }

    // ---- reads ----

    @Override
    public List<QueuedRef> nextQueued(String jobId, int limit) {
        return queued(jobId, r -> true).stream().limit(limit).toList();
    }

    @Override
    public List<QueuedRef> queuedBetween(String jobId, long fromSeq, long toSeq) {
        return queued(jobId, r -> r.seq >= fromSeq && r.seq <= toSeq);
    }

    private List<QueuedRef> queued(String jobId, Predicate<Row> which) {
        return rows(jobId, r -> r.status == ExecutionStatus.QUEUED && r.seq != null && which.test(r)).stream()
                .sorted(Comparator.comparingLong(r -> r.seq)).map(r -> new QueuedRef(r.deviceName, r.seq)).toList();
    }

    @Override
    public List<String> due(String jobId, DueKind kind, Instant now, int limit) {
        return rows(jobId, r -> r.dueAt != null && r.dueRetry == (kind == DueKind.RETRY) && !r.dueAt.isAfter(now)).stream()
                .sorted(Comparator.comparing(r -> r.dueAt)).limit(limit).map(r -> r.deviceName).toList();
    }

    @Override
    public List<String> withStatus(String jobId, ExecutionStatus status, int limit) {
        return rows(jobId, r -> r.status == status).stream().limit(limit).map(r -> r.deviceName).toList();
    }

    /** By device name; the token is the last name of the page. */
    @Override
    public Page<RowView> rows(String jobId, ExecutionStatus status, String nextToken, int limit) {
        List<Row> all = rows(jobId, r -> (status == null || r.status == status) && (nextToken == null || r.deviceName.compareTo(nextToken) > 0));
        List<Row> page = all.subList(0, Math.min(limit, all.size()));
        return new Page<>(page.stream().map(Row::view).toList(), all.size() > limit ? page.get(page.size() - 1).deviceName : null);
    }

    @Override
    public Optional<RowView> row(String jobId, String deviceName) {
        return Optional.ofNullable(row(jobId, deviceName, false)).map(Row::view);
    }

    @Override
    public Map<String, DeviceState> devices(String productId, Collection<String> deviceNames) {
        Map<String, DeviceState> found = new HashMap<>();
        for (String name : deviceNames) {
            DeviceState state = devices.get(new DeviceId(productId, name));
            if (state != null) {
                found.put(name, state);
            }
        }
        return found;
    }

    // ---- moves ----

    /** Runs {@code hook} once, right before the next release: e.g. another job takes the device first. */
    public void beforeNextRelease(Runnable hook) {
        this.releaseHook = hook;
    }

    @Override
    public ReleaseResult release(DeviceId device, Execution execution) {
        if (releaseHook != null) {
            Runnable hook = releaseHook;
            releaseHook = null;
            hook.run();
        }
        Row r = row(execution.jobId(), device.deviceName(), false);
        DeviceState state = devices.get(device);
        if (!inProgress(execution.jobId())) {
            return ReleaseResult.JOB_NOT_ACTIVE;
        }
        if (r == null || r.status != ExecutionStatus.QUEUED) {
            return ReleaseResult.NOT_QUEUED;
        }
        if (!free(state) || state != null && execution.targetVersion().equals(state.currentVersion())) {
            return ReleaseResult.DEVICE_TAKEN;
        }
        devices.putExecution(device, execution, state == null ? null : state.waitingJobs());
        r.take(device, execution);
        jobs.move(execution.jobId(), ExecutionStatus.QUEUED, execution.stage(), execution.status(), execution.stage(), false);
        return ReleaseResult.RELEASED;
    }

    @Override
    public boolean skip(DeviceId device, String jobId, int stage, String reason, String heldBy, boolean waitForDevice, Instant at) {
        Row r = row(jobId, device.deviceName(), false);
        if (r == null || r.status != ExecutionStatus.QUEUED) {
            return false;
        }
        r.leaveQueue(ExecutionStatus.SKIPPED, reason, at);
        r.stage = stage;
        r.heldBy = heldBy;
        jobs.move(jobId, ExecutionStatus.QUEUED, stage, ExecutionStatus.SKIPPED, stage, false);
        if (waitForDevice) {
            DeviceState state = devices.get(device);
            Set<String> waiting = new HashSet<>(state == null ? Set.of() : state.waitingJobs());
            waiting.add(jobId);
            devices.putExecution(device, state == null ? null : state.execution(), waiting);
        }
        return true;
    }

    @Override
    public boolean cancelQueued(DeviceId device, String jobId, String reason, Instant at) {
        Row r = row(jobId, device.deviceName(), false);
        if (r == null || r.status != ExecutionStatus.QUEUED) {
            return false;
        }
        r.leaveQueue(ExecutionStatus.CANCELED, reason, at);
        jobs.move(jobId, ExecutionStatus.QUEUED, 0, ExecutionStatus.CANCELED, 0, false);
        return true;
    }

    @Override
    public boolean enqueueLate(DeviceId device, String jobId, String productId, String targetVersion, String fromVersion, long seq, Instant at) {
        Row existing = row(jobId, device.deviceName(), false);
        if (existing != null && existing.status != ExecutionStatus.SKIPPED || !jobs.takesLateDevices(jobId)) {
            return false;
        }
        if (existing == null) {
            jobs.addLateTarget(jobId);
            jobs.move(jobId, null, 0, ExecutionStatus.QUEUED, 0, false);
        } else {
            jobs.move(jobId, ExecutionStatus.SKIPPED, existing.stage, ExecutionStatus.QUEUED, existing.stage, false);
        }
        Row r = row(jobId, device.deviceName(), true);
        r.productId = productId;
        r.status = ExecutionStatus.QUEUED;
        r.seq = seq;
        r.targetVersion = targetVersion;
        r.fromVersion = fromVersion;
        r.attempt = 0;
        r.percent = 0;
        r.resultCode = 0;
        r.resultMsg = "";
        r.updatedAt = at;
        r.heldBy = null;
        DeviceState state = devices.get(device);
        if (state != null) {
            Set<String> waiting = new HashSet<>(state.waitingJobs());
            waiting.remove(jobId);
            devices.putExecution(device, state.execution(), waiting);
        }
        return true;
    }

    @Override
    public boolean restart(DeviceId device, RowView row, Execution after) {
        Row r = row(after.jobId(), device.deviceName(), false);
        DeviceState state = devices.get(device);
        if (r == null || r.status != row.status() || !free(state) || !inProgress(after.jobId())) {
            return false;
        }
        Set<String> waiting = new HashSet<>(state == null ? Set.of() : state.waitingJobs());
        waiting.remove(after.jobId());
        devices.putExecution(device, after, waiting);
        boolean retry = row.status() != ExecutionStatus.QUEUED && row.status() != ExecutionStatus.SKIPPED;
        r.take(device, after);
        jobs.move(after.jobId(), row.status(), row.stage(), after.status(), after.stage(), retry);
        return true;
    }

    /** The job's rows, for assertions. */
    public List<RowView> rows(String jobId) {
        return rows(jobId, r -> true).stream().map(Row::view).toList();
    }
}
