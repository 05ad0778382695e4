package dev.ota.function.support;

import dev.ota.aws.dynamodb.Tables;
import java.time.Duration;
import java.util.Map;

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
        Duration urlExpiry,
        DownloadSettings downloads) {

    /** The four table names, as the DynamoDB adapters take them. */
    public Tables tables() {
        return new Tables(devicesTable, jobsTable, executionsTable, firmwareTable);
    }

    public static Settings fromEnvironment() {
        return from(Environment.system());
    }

    public static Settings from(Map<String, String> values) {
        return from(Environment.of(values));
    }

    public static Settings from(Environment env) {
        return new Settings(
                env.required("DEVICES_TABLE"),
                env.required("JOBS_TABLE"),
                env.required("EXECUTIONS_TABLE"),
                env.required("FIRMWARE_TABLE"),
                env.required("FIRMWARE_BUCKET"),
                env.optional("IOT_DATA_ENDPOINT"),
                env.text("UPDATE_TOPIC_TEMPLATE", "ota/update/{productId}/{deviceName}"),
                env.seconds("URL_EXPIRY_SECONDS", Duration.ofHours(1)),
                DownloadSettings.from(env));
    }
}
