package dev.ota.app;

import dev.ota.domain.device.DeviceId;

/** Too many lost races on one device; failing lets Lambda's async retry try again later. */
public class ConcurrentUpdateException extends RuntimeException {
    public ConcurrentUpdateException(DeviceId device) {
        super("device " + device.key() + " kept changing under this report");
    }
}
