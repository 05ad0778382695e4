package dev.ota.config;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * A function's configuration, from the environment template.yaml sets. Plain values only, so the
 * local stack can build the same settings from the template without AWS.
 */
public record Settings(
        String devicesTable,
        String jobsTable,
        String executionsTable,
        String firmwareTable,
        String firmwareBucket,
        String iotDataEndpoint,
        String updateTopicTemplate,
        Duration urlExpiry) {

    public static Settings fromEnvironment() {
        return from(System::getenv);
    }

    public static Settings from(Map<String, String> values) {
        return from(values::get);
    }

    private static Settings from(Function<String, String> env) {
        return new Settings(
                required(env, "DEVICES_TABLE"),
                required(env, "JOBS_TABLE"),
                required(env, "EXECUTIONS_TABLE"),
                required(env, "FIRMWARE_TABLE"),
                required(env, "FIRMWARE_BUCKET"),
                env.apply("IOT_DATA_ENDPOINT"),
                orDefault(env, "UPDATE_TOPIC_TEMPLATE", "ota/update/{productId}/{deviceName}"),
                Duration.ofSeconds(Long.parseLong(orDefault(env, "URL_EXPIRY_SECONDS", "3600"))));
    }

    private static String required(Function<String, String> env, String name) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    private static String orDefault(Function<String, String> env, String name, String fallback) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
