package dev.ota.app;

import dev.ota.domain.FirmwareRef;
import dev.ota.domain.device.DeviceId;

/**
 * What a function runs before its SnapStart snapshot so that the snapshot holds loaded, linked
 * classes for the request path: a serialisation and a read of a device no one has. It changes no
 * state and sends nothing. The rule event a handler parses while priming is
 * {@code dev.ota.function.support.PrimingEvents}.
 */
public final class Priming {

    public static final DeviceId DEVICE = new DeviceId("snapstart-prime", "snapstart-prime");
    public static final FirmwareRef FIRMWARE =
            new FirmwareRef("0.0.0", "firmware/snapstart-prime/0.0.0/prime.bin", 1, "00000000000000000000000000000000");

    private Priming() {}
}
