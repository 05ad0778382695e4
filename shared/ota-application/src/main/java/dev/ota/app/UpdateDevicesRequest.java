package dev.ota.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.FirmwareVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * "Update these devices of this product to firmware version X."
 *
 * @param retryPolicy null for {@link RetryPolicy#DEFAULT}
 */
public record UpdateDevicesRequest(
        String productId, String version, List<String> deviceNames, RetryPolicy retryPolicy) {

    /** A direct invocation's payload stays far below Lambda's 6 MB; larger fleets use a device-list file. */
    public static final int MAX_DEVICES = 10_000;

    public UpdateDevicesRequest {
        if (deviceNames == null || deviceNames.isEmpty()) {
            throw new InvalidMessageException("deviceNames must list at least one device");
        }
        if (deviceNames.size() > MAX_DEVICES) {
            throw new InvalidMessageException(
                    "deviceNames lists " + deviceNames.size() + " devices, over " + MAX_DEVICES);
        }
        deviceNames.forEach(name -> new DeviceId(productId, name));
        FirmwareVersion.requireStorable("version", version);
        deviceNames = List.copyOf(new LinkedHashSet<>(deviceNames));
        retryPolicy = retryPolicy == null ? RetryPolicy.DEFAULT : retryPolicy;
    }

    /**
     * Reads {@code {"productId":"p","version":"1.1.0","deviceNames":["d1"],
     * "retry":{"maxAttempts":3,"retryableCodes":[-1,-3],"retryIntervalSeconds":0}}}, strictly typed.
     */
    public static UpdateDevicesRequest fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidMessageException("request must be a JSON object");
        }
        JsonNode names = root.get("deviceNames");
        if (names == null || !names.isArray()) {
            throw new InvalidMessageException("deviceNames must be an array of strings");
        }
        if (names.size() > MAX_DEVICES) {
            throw new InvalidMessageException("deviceNames lists " + names.size() + " devices, over " + MAX_DEVICES);
        }
        List<String> deviceNames = new ArrayList<>();
        for (JsonNode name : names) {
            if (!name.isTextual()) {
                throw new InvalidMessageException("deviceNames must be an array of strings");
            }
            deviceNames.add(name.textValue());
        }
        return new UpdateDevicesRequest(
                text(root, "productId"), text(root, "version"), deviceNames, retryPolicy(root.get("retry")));
    }

    private static RetryPolicy retryPolicy(JsonNode retry) {
        if (retry == null || retry.isNull()) {
            return null;
        }
        if (!retry.isObject()) {
            throw new InvalidMessageException("retry must be an object");
        }
        int maxAttempts = wholeNumber(retry, "maxAttempts", RetryPolicy.DEFAULT.maxAttempts());
        long intervalSeconds = wholeNumber(retry, "retryIntervalSeconds", 0);
        Set<Integer> codes = new HashSet<>(RetryPolicy.DEFAULT.retryableCodes());
        JsonNode list = retry.get("retryableCodes");
        if (list != null) {
            if (!list.isArray()) {
                throw new InvalidMessageException("retry.retryableCodes must be an array of -1..-5");
            }
            codes.clear();
            for (JsonNode code : list) {
                if (!code.isInt() || code.intValue() < -5 || code.intValue() > -1) {
                    throw new InvalidMessageException("retry.retryableCodes must be an array of -1..-5");
                }
                codes.add(code.intValue());
            }
        }
        if (intervalSeconds < 0 || intervalSeconds > 86_400) {
            throw new InvalidMessageException("retry.retryIntervalSeconds must be 0..86400");
        }
        try {
            return new RetryPolicy(maxAttempts, codes, Duration.ofSeconds(intervalSeconds));
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException("retry: " + e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new InvalidMessageException(field + " must be a string");
        }
        return value.textValue();
    }

    private static int wholeNumber(JsonNode node, String field, int absent) {
        JsonNode value = node.get(field);
        if (value == null) {
            return absent;
        }
        if (!value.isInt()) {
            throw new InvalidMessageException("retry." + field + " must be a whole number");
        }
        return value.intValue();
    }
}
