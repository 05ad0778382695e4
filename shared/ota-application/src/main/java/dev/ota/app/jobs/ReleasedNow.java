package dev.ota.app.jobs;

import java.util.List;
import java.util.Map;

/**
 * What {@link JobEngine#rollOutNow} did, device by device: the devices that were sent update_firmware
 * and the ones the rollout recorded SKIPPED, each in queue order. A target in neither is still
 * queued: the scheduler releases it like any other.
 */
public record ReleasedNow(List<String> delivered, Map<String, Skip> skipped) {

    public ReleasedNow {
        delivered = List.copyOf(delivered);
        skipped = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(skipped));
    }

    /** Why the rollout did not send a device the update; {@code message} is what its execution row says. */
    public record Skip(Reason reason, String detail, String message) {}

    public enum Reason {
        /** Another job's live update holds the device (the first job to release a device holds it); detail: that job's id. */
        HELD_BY_ANOTHER_JOB,
        /** The device already runs the target version; detail: that version. */
        ALREADY_ON_TARGET,
        /** The list is narrowed by source versions and the device is on none of them; detail: its version, or null. */
        NOT_ON_A_SOURCE_VERSION
    }
}
