package dev.ota.protocol;

import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The topic devices report on, as a template of levels: fixed text, {@code {productId}} or
 * {@code {deviceName}}, each a whole level, at any position, e.g. {@code ota/report/{productId}/{deviceName}}
 * or {@code fleet/{deviceName}/ota/up}. A fleet of one product may leave {@code {productId}} out and
 * name the product instead ({@code fixedProductId}). The rules subscribe to {@link #filter()}; the
 * report functions take the device's names from the topic the rule hands over ({@link #deviceOf}).
 */
public final class ReportTopic {

    public static final String PRODUCT_ID = "{productId}";
    public static final String DEVICE_NAME = "{deviceName}";
    public static final String DEFAULT_TEMPLATE = "ota/report/{productId}/{deviceName}";

    private final String template;
    private final List<String> levels;
    private final String fixedProductId;

    private ReportTopic(String template, List<String> levels, String fixedProductId) {
        this.template = template;
        this.levels = levels;
        this.fixedProductId = fixedProductId;
    }

    public static ReportTopic defaults() {
        return of(DEFAULT_TEMPLATE, null);
    }

    /**
     * @param fixedProductId the productId of every device when the template has no {@code {productId}};
     *                       must be null or blank when it has one
     * @throws IllegalArgumentException a template that is not a valid one, said why
     */
    public static ReportTopic of(String template, String fixedProductId) {
        Objects.requireNonNull(template, "template");
        String fixed = fixedProductId == null || fixedProductId.isBlank() ? null : fixedProductId.trim();
        List<String> levels = List.of(template.split("/", -1));
        int products = 0;
        int devices = 0;
        for (String level : levels) {
            if (level.equals(PRODUCT_ID)) {
                products++;
            } else if (level.equals(DEVICE_NAME)) {
                devices++;
            } else if (level.isEmpty()
                    || level.contains("{")
                    || level.contains("}")
                    || level.contains("+")
                    || level.contains("#")) {
                throw new IllegalArgumentException("report topic template '" + template + "': level '" + level
                        + "' must be fixed text, {productId} or {deviceName} (no empty level, no wildcard)");
            }
        }
        if (devices != 1) {
            throw new IllegalArgumentException(
                    "report topic template '" + template + "' must have {deviceName} exactly once as a level");
        }
        if (products > 1) {
            throw new IllegalArgumentException(
                    "report topic template '" + template + "' has {productId} more than once");
        }
        if (products == 0 && fixed == null) {
            throw new IllegalArgumentException("report topic template '" + template
                    + "' has no {productId}: name the fleet's one product (ReportProductId)");
        }
        if (products == 1 && fixed != null) {
            throw new IllegalArgumentException("report topic template '" + template
                    + "' has {productId}: a fixed productId (" + fixed + ") would contradict it");
        }
        return new ReportTopic(template, levels, fixed);
    }

    public String template() {
        return template;
    }

    /** The MQTT topic filter of the rules: each placeholder a {@code +}. */
    public String filter() {
        return String.join(
                "/", levels.stream().map(l -> l.startsWith("{") ? "+" : l).toList());
    }

    /**
     * The device a topic names.
     *
     * @throws InvalidMessageException the topic does not have the template's shape
     */
    public DeviceId deviceOf(String topic) {
        String[] parts = topic.split("/", -1);
        if (parts.length != levels.size()) {
            throw mismatch(topic);
        }
        String productId = fixedProductId;
        String deviceName = null;
        for (int i = 0; i < parts.length; i++) {
            String level = levels.get(i);
            if (level.equals(PRODUCT_ID)) {
                productId = parts[i];
            } else if (level.equals(DEVICE_NAME)) {
                deviceName = parts[i];
            } else if (!level.equals(parts[i])) {
                throw mismatch(topic);
            }
        }
        return new DeviceId(productId, deviceName);
    }

    /** The topic of one device (for devices and tests). */
    public String topicOf(DeviceId device) {
        List<String> out = new ArrayList<>(levels.size());
        for (String level : levels) {
            out.add(
                    switch (level) {
                        case PRODUCT_ID -> device.productId();
                        case DEVICE_NAME -> device.deviceName();
                        default -> level;
                    });
        }
        return String.join("/", out);
    }

    private InvalidMessageException mismatch(String topic) {
        return new InvalidMessageException(
                "topic '" + topic + "' does not match the report topic template '" + template + "'");
    }

    @Override
    public String toString() {
        return fixedProductId == null ? template : template + " (productId " + fixedProductId + ")";
    }
}
