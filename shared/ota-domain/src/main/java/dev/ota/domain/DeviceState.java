package dev.ota.domain;

import dev.ota.domain.device.DeviceId;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What the cloud knows of one device: its last reported version and its live execution, kept
 * in one record so that a device message is answered with one read-modify-write.
 *
 * @param execution the device's live execution, or its last one once that ended
 * @param waitingJobs dynamic jobs that skipped this device because another job held it; they take
 *     it when it is free again
 */
public record DeviceState(
        DeviceId device, String currentVersion, Instant lastSeenAt, Execution execution, Set<String> waitingJobs) {

    public DeviceState {
        waitingJobs = waitingJobs == null ? Set.of() : Set.copyOf(waitingJobs);
    }

    public DeviceState(DeviceId device, String currentVersion, Instant lastSeenAt, Execution execution) {
        this(device, currentVersion, lastSeenAt, execution, Set.of());
    }

    public Optional<Execution> liveExecution() {
        return Optional.ofNullable(execution).filter(e -> !e.status().terminal());
    }
}
