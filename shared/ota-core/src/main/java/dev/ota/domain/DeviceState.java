package dev.ota.domain;

import dev.ota.protocol.DeviceId;
import java.time.Instant;
import java.util.Optional;

/**
 * What the cloud knows of one device: its last reported version and its live execution, kept
 * in one record so that a device message is answered with one read-modify-write.
 */
public record DeviceState(DeviceId device, String currentVersion, Instant lastSeenAt, Execution execution) {

    public Optional<Execution> liveExecution() {
        return Optional.ofNullable(execution).filter(e -> !e.status().terminal());
    }
}
