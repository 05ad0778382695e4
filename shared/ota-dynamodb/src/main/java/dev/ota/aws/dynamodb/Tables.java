package dev.ota.aws.dynamodb;

import dev.ota.config.Settings;

/** The four table names. */
public record Tables(String devices, String jobs, String executions, String firmware) {

    public static Tables of(Settings settings) {
        return new Tables(settings.devicesTable(), settings.jobsTable(), settings.executionsTable(), settings.firmwareTable());
    }
}
