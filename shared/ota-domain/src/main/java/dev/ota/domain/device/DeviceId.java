package dev.ota.domain.device;

import dev.ota.domain.InvalidMessageException;
import java.util.regex.Pattern;

/**
 * A device as the topic names it: {@code ota/report/{productId}/{deviceName}}.
 *
 * <p>The character set is the intersection of what Tencent allows in device names and what is
 * safe inside one MQTT topic level (no {@code / + # $}), so a name can never widen a topic.
 */
public record DeviceId(String productId, String deviceName) {

    public static final int MAX_PRODUCT_ID = 64;
    public static final int MAX_DEVICE_NAME = 128;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.:@-]+");

    public DeviceId {
        requireName("productId", productId, MAX_PRODUCT_ID);
        requireName("deviceName", deviceName, MAX_DEVICE_NAME);
    }

    /** Key of the device's item: the separator cannot occur inside either part. */
    public String key() {
        return productId + "/" + deviceName;
    }

    @Override
    public String toString() {
        return key();
    }

    static void requireName(String field, String value, int max) {
        if (value == null || value.isEmpty()) {
            throw new InvalidMessageException(field + " is missing");
        }
        if (value.length() > max) {
            throw new InvalidMessageException(field + " is longer than " + max + " characters");
        }
        if (!SAFE.matcher(value).matches()) {
            throw new InvalidMessageException(field + " has characters outside [A-Za-z0-9_.:@-]");
        }
    }
}
