package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.function.progressreport.ProgressReportHandler;
import dev.ota.function.progressreport.ProgressReportWiring;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.Environment;
import dev.ota.function.updatedevices.UpdateDevicesHandler;
import dev.ota.function.updatedevices.UpdateDevicesWiring;
import dev.ota.function.versionreport.VersionReportHandler;
import dev.ota.function.versionreport.VersionReportWiring;
import dev.ota.local.stack.AwsCallCounter;
import dev.ota.local.stack.LocalClients;
import dev.ota.local.stack.LocalStack;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;

/**
 * SnapStart priming runs at deployment, against the production tables: it must read at most and
 * never write or publish.
 */
class SnapStartPrimingIT {

    @Test
    void primingReadsButChangesNothingAndSendsNothing() throws Exception {
        LocalStack stack = SharedStack.get();
        AwsCallCounter calls = new AwsCallCounter();
        ClientOverrideConfiguration counted = ClientOverrideConfiguration.builder()
                .addExecutionInterceptor(calls)
                .build();
        Environment env = Environment.of(Map.of(
                "DEVICES_TABLE",
                "DevicesTable",
                "JOBS_TABLE",
                "JobsTable",
                "EXECUTIONS_TABLE",
                "ExecutionsTable",
                "FIRMWARE_TABLE",
                "FirmwareTable",
                "FIRMWARE_BUCKET",
                LocalStack.BUCKET));
        var before = OtaTables.scanAll(stack);
        long publishesBefore = stack.aws().iotDataServer().publishCount();
        try (AwsClients aws =
                LocalClients.functionClients(stack.aws()).overrides(counted).build()) {
            new VersionReportHandler(VersionReportWiring.of(env, aws, Clock.systemUTC())).beforeCheckpoint(null);
            new ProgressReportHandler(ProgressReportWiring.of(env, aws)).beforeCheckpoint(null);
            new UpdateDevicesHandler(UpdateDevicesWiring.of(env, aws, Clock.systemUTC())).beforeCheckpoint(null);
        }
        // A device read each for the reports; the firmware and the job read for update-devices.
        assertThat(calls.snapshot()).isEqualTo(Map.of("DynamoDb.GetItem", 4L));
        assertThat(stack.aws().iotDataServer().publishCount()).isEqualTo(publishesBefore);
        assertThat(OtaTables.scanAll(stack)).isEqualTo(before);
    }
}
