package dev.ota.testing;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.device.DeviceId;
import dev.ota.port.out.DeviceStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@link DeviceStateStore} contract in memory, with the semantics of {@code DynamoDbDeviceStateStore}:
 * every write is conditional on what the caller decided from, exactly as the port's javadoc demands.
 *
 * <p>Conventions where the port leaves room:
 * <ul>
 *   <li>{@code lastSeenAt} is the broker time of the last recorded version report; a version report
 *       strictly older than it is stale.</li>
 *   <li>{@code advancePercent} on an unknown device returns a state with no execution (there is no
 *       other way to say "not applied" through {@code Optional<DeviceState>}).</li>
 *   <li>No write of this port touches {@code waitingJobs} (as in the Devices table, where only the
 *       rollout's moves add or delete them).</li>
 *   <li>{@code transition} requires the stored execution to equal {@code before} in every field;
 *       the adapter compares job, status, attempt and percent. Stricter, never looser: a caller
 *       that passes the execution it read behaves the same.</li>
 * </ul>
 *
 * <p>Alone, the store keeps device items only. An {@link InMemoryRolloutStore} built over it
 * attaches itself as the store's mirror: from then on {@link #transition} also writes the job's
 * execution row and moves its counters, and a transition that starts an attempt is refused unless
 * the job is IN_PROGRESS, all in one step, as the adapter does in one transaction.
 *
 * <p>Test hooks: {@link #put} and {@link #overwriteExecution} write without any condition (the
 * "other writer" of a race); {@link #beforeNextTransition(Consumer)} changes the stored state
 * between a service's read and its conditional write; {@link #writes()} and {@link #finds()} count
 * what a path cost. Thread-safe: every method holds the store's monitor, which is also the lock of
 * the rollout store's moves; hooks run outside it.
 */
public final class InMemoryDeviceStateStore implements DeviceStateStore {

    /**
     * What moves with a device's execution in the adapter's transaction: the execution row, the
     * job's counters, the job-state guard. Called under the store's monitor once the device's own
     * condition held; it checks its own conditions and applies everything, or nothing and returns false.
     */
    interface ExecutionMirror {
        boolean transition(DeviceId device, Execution before, Execution after);
    }

    private final Map<DeviceId, DeviceState> states = new HashMap<>();
    private final List<String> writes = new ArrayList<>();
    private final NextCalls<InMemoryDeviceStateStore> beforeTransition = new NextCalls<>();
    private int finds;
    private ExecutionMirror mirror;

    synchronized void mirrorTo(ExecutionMirror mirror) {
        if (this.mirror != null && this.mirror != mirror) {
            throw new IllegalStateException("this device store already mirrors to another rollout store");
        }
        this.mirror = mirror;
    }

    /**
     * The device half of a rollout move: sets the device's execution and waiting jobs without any
     * condition, creating the item if there is none (the adapter's UpdateItem does).
     */
    synchronized void putExecution(DeviceId device, Execution execution, Set<String> waitingJobs) {
        DeviceState s = states.get(device);
        states.put(
                device,
                s == null
                        ? new DeviceState(device, null, null, execution, waitingJobs)
                        : new DeviceState(device, s.currentVersion(), s.lastSeenAt(), execution, waitingJobs));
    }

    public synchronized void put(DeviceState state) {
        states.put(state.device(), state);
    }

    public synchronized DeviceState get(DeviceId device) {
        return states.get(device);
    }

    public synchronized Collection<DeviceState> all() {
        return List.copyOf(states.values());
    }

    public synchronized Execution execution(DeviceId device) {
        DeviceState state = states.get(device);
        return state == null ? null : state.execution();
    }

    /** Every successful write of this port, in order: "recordVersion", "advancePercent", "transition". */
    public synchronized List<String> writes() {
        return writes;
    }

    /** Runs {@code hook} right before each of the next {@code times} transition attempts. */
    public void beforeNextTransition(int times, Consumer<InMemoryDeviceStateStore> hook) {
        beforeTransition.set(times, hook);
    }

    public void beforeNextTransition(Consumer<InMemoryDeviceStateStore> hook) {
        beforeNextTransition(1, hook);
    }

    /** Replaces the stored execution without any condition: the "other writer" of a race. */
    public synchronized void overwriteExecution(DeviceId device, Execution execution) {
        putExecution(device, execution, states.get(device).waitingJobs());
    }

    @Override
    public synchronized VersionRecorded recordVersion(DeviceId device, String version, Instant receivedAt) {
        DeviceState current = states.get(device);
        if (current != null
                && current.lastSeenAt() != null
                && (receivedAt.isBefore(current.lastSeenAt())
                        || receivedAt.equals(current.lastSeenAt())
                                && current.currentVersion() != null
                                && current.currentVersion().compareTo(version) > 0)) {
            // As the adapter: the newest report names the version, the greater string in one millisecond.
            return new VersionRecorded(current, true);
        }
        DeviceState next = current == null
                ? new DeviceState(device, version, receivedAt, null)
                : new DeviceState(device, version, receivedAt, current.execution(), current.waitingJobs());
        states.put(device, next);
        writes.add("recordVersion");
        return new VersionRecorded(next, false);
    }

    /** How many times {@link #find} was called: the fast path must not read. */
    public synchronized int finds() {
        return finds;
    }

    @Override
    public synchronized Optional<DeviceState> find(DeviceId device) {
        finds++;
        return Optional.ofNullable(states.get(device));
    }

    @Override
    public synchronized Optional<DeviceState> advancePercent(
            DeviceId device, String targetVersion, int percent, Instant receivedAt) {
        DeviceState current = states.get(device);
        if (current == null) {
            return Optional.of(new DeviceState(device, null, null, null));
        }
        Execution e = current.execution();
        boolean applies = e != null
                && e.status() == ExecutionStatus.DOWNLOADING
                && e.targetVersion().equals(targetVersion)
                && !e.attemptStartedAt().isAfter(receivedAt)
                && e.percent() < percent
                && (e.downloadAt() == null || !e.downloadAt().isAfter(receivedAt));
        if (!applies) {
            return Optional.of(current);
        }
        putExecution(device, ExecutionStateMachine.advanced(e, percent, receivedAt), current.waitingJobs());
        writes.add("advancePercent");
        return Optional.empty();
    }

    @Override
    public synchronized boolean claimUpdate(DeviceId device, Execution exec, Instant at, Duration cooldown) {
        DeviceState current = states.get(device);
        Execution stored = current == null ? null : current.execution();
        if (stored == null
                || !stored.jobId().equals(exec.jobId())
                || stored.attempt() != exec.attempt()
                || !stored.attemptStartedAt().equals(exec.attemptStartedAt())) {
            return false;
        }
        Instant last = stored.sentAt();
        boolean granted = last == null || !last.isAfter(at.minus(cooldown)) || last.equals(at);
        if (granted) {
            putExecution(device, stored.withSends(stored.resends(), at), current.waitingJobs());
            writes.add("claimUpdate");
        }
        return granted;
    }

    @Override
    public boolean transition(DeviceId device, Execution before, Execution after) {
        beforeTransition.runBefore(this);
        synchronized (this) {
            DeviceState current = states.get(device);
            // As the adapter: the send record (moved by claimUpdate too) is not part of the condition,
            // and a transition that did not send leaves it alone.
            if (current == null) {
                return false;
            }
            Execution stored = current.execution();
            boolean matches = before == null
                    ? stored == null
                    : stored != null
                            && stored.withSends(stored.resends(), before.sentAt())
                                    .equals(before);
            if (!matches) {
                return false;
            }
            if (mirror != null && !mirror.transition(device, before, after)) {
                return false;
            }
            Execution kept = before != null && stored != null && Objects.equals(before.sentAt(), after.sentAt())
                    ? after.withSends(after.resends(), stored.sentAt())
                    : after;
            putExecution(device, kept, current.waitingJobs());
            writes.add("transition");
            return true;
        }
    }
}
