package dev.ota.port.out;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.device.DeviceId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Device state and its live execution. Every write is conditional on the state the caller
 * decided from, so a lost race returns false (or the current state) instead of overwriting.
 */
public interface DeviceStateStore {

    /**
     * Records a version report, unless a later report was recorded already.
     *
     * @return the state after the write; {@code stale} when a newer report was there first
     */
    VersionRecorded recordVersion(DeviceId device, String version, Instant receivedAt);

    record VersionRecorded(DeviceState state, boolean stale) {}

    Optional<DeviceState> find(DeviceId device);

    /**
     * The fast path for downloading reports, one conditional write and no read: raises percent if
     * the live execution is downloading {@code targetVersion}, its attempt began no later than
     * {@code receivedAt}, and its percent is below {@code percent}.
     *
     * @return empty when applied, else the state found (so the caller can decide again)
     */
    Optional<DeviceState> advancePercent(DeviceId device, String targetVersion, int percent, Instant receivedAt);

    /**
     * Moves the execution from {@code before} to {@code after}, with the job's per-status counts
     * and the job's execution row, atomically.
     *
     * @return false if the stored execution is no longer {@code before}
     */
    boolean transition(DeviceId device, Execution before, Execution after);

    /**
     * Claims the sending of update_firmware for the current delivery of {@code exec} (same job,
     * attempt and delivery start as stored) at {@code at}, the receive time of the report it answers;
     * one conditional write of the execution's {@link Execution#sentAt()}, so concurrent containers
     * agree. Granted when nothing was sent for the delivery yet, when the last send is
     * {@code cooldown} or more older than {@code at}, or when it is this very report's (a retry of a
     * run that claimed and then failed before or while publishing).
     *
     * @return true when the caller should send
     */
    boolean claimUpdate(DeviceId device, Execution exec, Instant at, Duration cooldown);
}
