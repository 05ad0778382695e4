package dev.ota.aws.iot;

import dev.ota.domain.device.DeviceId;

/** {@code ota/update/{productId}/{deviceName}}: the downstream topic template, from UPDATE_TOPIC_TEMPLATE. */
public record UpdateTopic(String template) {

    public static final String DEFAULT = "ota/update/{productId}/{deviceName}";

    public UpdateTopic {
        if (!template.contains("{productId}") || !template.contains("{deviceName}")) {
            throw new IllegalArgumentException(
                    "update topic template must contain {productId} and {deviceName}: " + template);
        }
    }

    public String of(DeviceId device) {
        return template.replace("{productId}", device.productId()).replace("{deviceName}", device.deviceName());
    }
}
