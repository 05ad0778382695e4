package dev.ota.app;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.RolloutEvent;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.RolloutEvents;
import dev.ota.port.out.RolloutMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A device store that tells the metrics and the event bus about every execution transition it
 * wrote: each path that moves an execution (reports, timeouts, retries, sweeps, operators) goes
 * through {@link #transition}, so none is missed and a lost race (false) counts nothing.
 */
public final class ObservedDeviceStateStore implements DeviceStateStore {

    private final DeviceStateStore store;
    private final RolloutMetrics metrics;
    private final RolloutEvents events;

    public ObservedDeviceStateStore(DeviceStateStore store, RolloutMetrics metrics, RolloutEvents events) {
        this.store = store;
        this.metrics = metrics;
        this.events = events;
    }

    @Override
    public VersionRecorded recordVersion(DeviceId device, String version, Instant receivedAt) {
        return store.recordVersion(device, version, receivedAt);
    }

    @Override
    public Optional<DeviceState> find(DeviceId device) {
        return store.find(device);
    }

    @Override
    public Optional<DeviceState> advancePercent(
            DeviceId device, String targetVersion, int percent, Instant receivedAt) {
        return store.advancePercent(device, targetVersion, percent, receivedAt);
    }

    @Override
    public boolean transition(DeviceId device, Execution before, Execution after) {
        if (!store.transition(device, before, after)) {
            return false;
        }
        if (before == null || before.status() != after.status()) {
            metrics.executionChanged(before == null ? null : before.status(), after.status(), after.resultCode());
            if (after.status().terminal()) {
                events.publish(RolloutEvent.executionFinished(
                        after.jobId(), device, after.status(), after.attempt(), after.resultCode(), after.resultMsg()));
            }
        }
        return true;
    }

    @Override
    public boolean claimUpdate(DeviceId device, Execution exec, Instant at, Duration cooldown) {
        return store.claimUpdate(device, exec, at, cooldown);
    }
}
