package dev.ota.port.out;

import dev.ota.domain.DeviceState;
import java.time.Instant;

/**
 * Dynamic jobs take devices that qualify after the job was created. The version-report path tells
 * them about every device that is free (no live execution) with the version it just reported.
 */
public interface LateTargets {

    LateTargets NONE = (state, version, at) -> {};

    void deviceIsFree(DeviceState state, String reportedVersion, Instant receivedAt);
}
