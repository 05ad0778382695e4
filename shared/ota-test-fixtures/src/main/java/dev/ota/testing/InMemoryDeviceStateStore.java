package dev.ota.testing;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.domain.device.DeviceId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@link DeviceStateStore} contract in memory: every write is conditional on what the caller
 * decided from, exactly as the port's javadoc demands of the real store.
 *
 * <p>Conventions where the port leaves room:
 * <ul>
 *   <li>{@code lastSeenAt} is the broker time of the last recorded version report; a version report
 *       strictly older than it is stale.</li>
 *   <li>{@code advancePercent} on an unknown device returns a state with no execution (there is no
 *       other way to say "not applied" through {@code Optional<DeviceState>}).</li>
 * </ul>
 *
 * <p>{@link #beforeNextTransition(Consumer)} lets a test change the stored state between a
 * service's read and its conditional write, to simulate a lost race.
 *
 * <p>The real store moves the job's Executions row and counters in the same transaction as the
 * device (and, for a new attempt, checks that the job is IN_PROGRESS); here an
 * {@link ExecutionMirror} (the {@link InMemoryRolloutStore}) does that part.
 */
public final class InMemoryDeviceStateStore implements DeviceStateStore {

    private final Map<DeviceId, DeviceState> states = new HashMap<>();
    private final List<String> writes = new ArrayList<>();
    private Consumer<InMemoryDeviceStateStore> raceHook;
    private int racesToInject;
    private int finds;
    private ExecutionMirror mirror = ExecutionMirror.NONE;

    /** What the real store's transaction does beside the device item: the job's row, counters and state check. */
    public interface ExecutionMirror {
        ExecutionMirror NONE = new ExecutionMirror() {
            @Override
            public boolean admits(DeviceId device, Execution before, Execution after) {
                return true;
            }

            @Override
            public void moved(DeviceId device, Execution before, Execution after) {}
        };

        /** False when the transaction's job condition would fail (a new attempt of a job that is not IN_PROGRESS). */
        boolean admits(DeviceId device, Execution before, Execution after);

        /** The device moved from {@code before} to {@code after}. */
        void moved(DeviceId device, Execution before, Execution after);
    }

    void mirrorTo(ExecutionMirror mirror) {
        this.mirror = mirror;
    }

    /** Sets the device's execution (and its waiting jobs) unconditionally: the device half of a rollout move. */
    void putExecution(DeviceId device, Execution execution, java.util.Set<String> waitingJobs) {
        DeviceState s = states.get(device);
        states.put(device, s == null ? new DeviceState(device, null, null, execution, waitingJobs)
                : new DeviceState(device, s.currentVersion(), s.lastSeenAt(), execution, waitingJobs));
    }

    public void put(DeviceState state) {
        states.put(state.device(), state);
    }

    public DeviceState get(DeviceId device) {
        return states.get(device);
    }

    public java.util.Collection<DeviceState> all() {
        return List.copyOf(states.values());
    }

    public Execution execution(DeviceId device) {
        DeviceState state = states.get(device);
        return state == null ? null : state.execution();
    }

    /** Every successful write, in order: "recordVersion", "advancePercent", "transition". */
    public List<String> writes() {
        return writes;
    }

    /** Runs {@code hook} right before each of the next {@code times} transition attempts. */
    public void beforeNextTransition(int times, Consumer<InMemoryDeviceStateStore> hook) {
        this.racesToInject = times;
        this.raceHook = hook;
    }

    public void beforeNextTransition(Consumer<InMemoryDeviceStateStore> hook) {
        beforeNextTransition(1, hook);
    }

    /** Replaces the stored execution without any condition: the "other writer" of a race. */
    public void overwriteExecution(DeviceId device, Execution execution) {
        DeviceState s = states.get(device);
        states.put(device, new DeviceState(device, s.currentVersion(), s.lastSeenAt(), execution, s.waitingJobs()));
    }

    @Override
    public VersionRecorded recordVersion(DeviceId device, String version, Instant receivedAt) {
        DeviceState current = states.get(device);
        if (current != null && current.lastSeenAt() != null && receivedAt.isBefore(current.lastSeenAt())) {
            return new VersionRecorded(current, true);
        }
        DeviceState next = new DeviceState(device, version, receivedAt, current == null ? null : current.execution(),
                current == null ? null : current.waitingJobs());
        states.put(device, next);
        writes.add("recordVersion");
        return new VersionRecorded(next, false);
    }

    /** How many times {@link #find} was called: the fast path must not read. */
    public int finds() {
        return finds;
    }

    @Override
    public Optional<DeviceState> find(DeviceId device) {
        finds++;
        return Optional.ofNullable(states.get(device));
    }

    @Override
    public Optional<DeviceState> advancePercent(DeviceId device, String targetVersion, int percent, Instant receivedAt) {
        DeviceState current = states.get(device);
        if (current == null) {
            return Optional.of(new DeviceState(device, null, null, null));
        }
        Execution e = current.execution();
        boolean applies = e != null
                && e.status() == ExecutionStatus.DOWNLOADING
                && e.targetVersion().equals(targetVersion)
                && !e.attemptStartedAt().isAfter(receivedAt)
                && e.percent() < percent;
        if (!applies) {
            return Optional.of(current);
        }
        Execution advanced = e.withStatus(ExecutionStatus.DOWNLOADING, percent, receivedAt);
        states.put(device, new DeviceState(device, current.currentVersion(), current.lastSeenAt(), advanced, current.waitingJobs()));
        writes.add("advancePercent");
        return Optional.empty();
    }

    @Override
    public boolean transition(DeviceId device, Execution before, Execution after) {
        if (racesToInject > 0) {
            racesToInject--;
            raceHook.accept(this);
        }
        DeviceState current = states.get(device);
        if (current == null || !Objects.equals(current.execution(), before) || !mirror.admits(device, before, after)) {
            return false;
        }
        states.put(device, new DeviceState(device, current.currentVersion(), current.lastSeenAt(), after, current.waitingJobs()));
        mirror.moved(device, before, after);
        writes.add("transition");
        return true;
    }
}
