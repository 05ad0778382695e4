package dev.ota.function.support;

import dev.ota.app.Priming;
import dev.ota.domain.device.ThingName;
import java.nio.charset.StandardCharsets;

/** The rule events a report function parses before its SnapStart snapshot, for {@link Priming#DEVICE}. */
public final class PrimingEvents {

    private PrimingEvents() {}

    /** A valid rule event of the given type. */
    public static byte[] event(String type) {
        String report = type.equals("report_version")
                ? "{\"version\":\"0.0.0\"}"
                : "{\"progress\":{\"state\":\"downloading\",\"percent\":\"1\",\"result_code\":\"0\",\"result_msg\":\"\"},\"version\":\"0.0.0\"}";
        return ("{\"type\":\"" + type + "\",\"report\":" + report + ",\"productId\":\"" + Priming.DEVICE.productId()
                        + "\",\"deviceName\":\"" + Priming.DEVICE.deviceName() + "\",\"clientId\":\""
                        + ThingName.of(Priming.DEVICE).value() + "\",\"receivedAt\":0}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
