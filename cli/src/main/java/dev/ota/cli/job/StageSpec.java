package dev.ota.cli.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.cli.Api;
import java.util.Locale;

/**
 * A stage as typed after {@code --stage}: {@code SIZE[,success=P][,failure=P][,min=N][,on-failure=pause|abort]}
 * where SIZE is a device count ({@code 50}) or a percent of the targets ({@code 5%}). The thresholds
 * the API requires default here (success 90, failure 10); {@code min} and {@code on-failure} are sent
 * only when given, so the API's defaults apply, and {@code on-failure} goes as typed (upper-cased):
 * the API says which actions there are.
 */
public final class StageSpec {
    private StageSpec() {}

    /** The stage as the API takes it; IllegalArgumentException says what is wrong with {@code spec}. */
    public static ObjectNode parse(String spec) {
        String[] parts = spec.split(",");
        ObjectNode stage = Api.JSON.createObjectNode();
        String size = parts[0].trim();
        try {
            if (size.endsWith("%")) {
                stage.put("percent", Integer.parseInt(size.substring(0, size.length() - 1)));
            } else if (!size.isEmpty() && !size.contains("=")) {
                stage.put("deviceCount", Integer.parseInt(size));
            } else {
                throw new IllegalArgumentException(
                        "a stage starts with its size: a device count (50) or a percent (5%)");
            }
            int success = 90;
            int failure = 10;
            Integer min = null;
            String onFailure = null;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("'" + parts[i] + "' is not key=value");
                }
                String value = kv[1].trim().replace("%", "");
                switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                    case "success" -> success = Integer.parseInt(value);
                    case "failure" -> failure = Integer.parseInt(value);
                    case "min" -> min = Integer.parseInt(value);
                    case "on-failure" -> onFailure = value.toUpperCase(Locale.ROOT);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown stage setting '" + kv[0] + "' (success, failure, min, on-failure)");
                }
            }
            stage.put("successThresholdPercent", success).put("failureThresholdPercent", failure);
            if (min != null) {
                stage.put("minDevicesForFailure", min);
            }
            if (onFailure != null) {
                stage.put("onFailure", onFailure);
            }
            return stage;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "' has a number that is not a whole number");
        }
    }

    /**
     * A stage's new thresholds for {@code ota job update}: {@code keep} (nothing changes), or
     * {@code [success=P][,failure=P][,min=N][,on-failure=pause|abort]} with only what is given.
     */
    public static ObjectNode parseThresholds(String spec) {
        ObjectNode stage = Api.JSON.createObjectNode();
        if (spec.trim().equalsIgnoreCase("keep")) {
            return stage;
        }
        try {
            for (String part : spec.split(",")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("'" + part
                            + "' is not key=value (a stage's size cannot change; 'keep' leaves the stage as it is)");
                }
                String value = kv[1].trim().replace("%", "");
                switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                    case "success" -> stage.put("successThresholdPercent", Integer.parseInt(value));
                    case "failure" -> stage.put("failureThresholdPercent", Integer.parseInt(value));
                    case "min" -> stage.put("minDevicesForFailure", Integer.parseInt(value));
                    case "on-failure" -> stage.put("onFailure", value.toUpperCase(Locale.ROOT));
                    default ->
                        throw new IllegalArgumentException(
                                "unknown stage setting '" + kv[0] + "' (success, failure, min, on-failure)");
                }
            }
            return stage;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "' has a number that is not a whole number");
        }
    }
}
