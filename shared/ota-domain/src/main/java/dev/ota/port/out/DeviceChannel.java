package dev.ota.port.out;

import dev.ota.domain.device.DeviceId;

/** The downstream topic of one device ({@code ota/update/{productId}/{deviceName}} by default). */
public interface DeviceChannel {

    /** Sends a protocol message (serialised as JSON) at QoS 1. */
    void send(DeviceId device, Object message);

    /**
     * Sends an answer the device asks for again when it does not get it (report_version_rsp: the
     * Python SDK re-reports after about 3 s, the others re-report after a failure or reboot), at
     * QoS 0: a QoS 1 delivery's PUBACK is a metered message, and a lost answer costs only a report.
     * A channel without QoS 0 sends it as {@link #send}.
     */
    default void answer(DeviceId device, Object message) {
        send(device, message);
    }
}
