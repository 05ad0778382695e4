package dev.ota.port.out;

import dev.ota.domain.device.DeviceId;

/** The downstream topic of one device ({@code ota/update/{productId}/{deviceName}} by default). */
public interface DeviceChannel {

    /** Sends a protocol message (serialised as JSON) at QoS 1. */
    void send(DeviceId device, Object message);
}
