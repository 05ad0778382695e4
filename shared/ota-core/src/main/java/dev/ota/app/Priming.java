package dev.ota.app;

import dev.ota.domain.FirmwareRef;
import dev.ota.protocol.DeviceId;
import java.nio.charset.StandardCharsets;

/**
 * What a function runs before its SnapStart snapshot so that the snapshot holds loaded, linked
 * classes for the request path: a parse, a serialisation and a read of a device no one has. It
 * changes no state and sends nothing.
 */
public final class Priming {

    public static final DeviceId DEVICE = new DeviceId("snapstart-prime", "snapstart-prime");
    public static final FirmwareRef FIRMWARE = new FirmwareRef("0.0.0", "firmware/snapstart-prime/0.0.0/prime.bin", 1,
            "00000000000000000000000000000000");

    private Priming() {}

    /** A valid rule event of the given type for {@link #DEVICE}. */
    public static byte[] event(String type) {
        String report = type.equals("report_version")
                ? "{\"version\":\"0.0.0\"}"
                : "{\"progress\":{\"state\":\"downloading\",\"percent\":\"1\",\"result_code\":\"0\",\"result_msg\":\"\"},\"version\":\"0.0.0\"}";
        return ("{\"type\":\"" + type + "\",\"report\":" + report + ",\"productId\":\"" + DEVICE.productId()
                + "\",\"deviceName\":\"" + DEVICE.deviceName() + "\",\"clientId\":\"prime\",\"receivedAt\":0}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
