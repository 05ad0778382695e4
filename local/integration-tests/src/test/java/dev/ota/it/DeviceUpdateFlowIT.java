package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.digest.FirmwareDigests;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The seed's whole flow through real MQTT, real HTTP and the real handlers: a device reports its
 * version, an operator updates it, it downloads, burns, reports done and then its new version.
 */
class DeviceUpdateFlowIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private final LocalStack stack = SharedStack.get(SharedStack.S3_PRESIGNED);

    @Test
    void deviceIsUpdatedEndToEnd() throws Exception {
        String product = "FLOWPRODUCT";
        byte[] firmware = SharedStack.firmwareBytes(300_000, 1);
        JsonNode registered = SharedStack.uploadAndRegister(stack, product, "1.1.0", firmware);
        assertThat(registered.path("outcome").asText()).isEqualTo("REGISTERED");
        assertThat(registered.path("firmware").get(0).path("md5sum").asText())
                .isEqualTo(FirmwareDigests.md5Hex(firmware));

        try (SimulatedDevice device = new SimulatedDevice(
                        dev.ota.local.device.Registered.mqttUrl(stack, product, "dev-1"), product, "dev-1", "$ota")
                .connect()) {
            device.reportVersion("1.0.0");
            JsonNode rsp = device.await("report_version_rsp", WAIT);
            assertThat(rsp).isNotNull();
            assertThat(rsp.path("result_code").isInt()).isTrue();
            assertThat(rsp.path("version").asText()).isEqualTo("1.0.0");

            JsonNode result = SharedStack.invoke(
                    stack,
                    "UpdateDevicesFunction",
                    "{\"productId\":\"" + product + "\",\"version\":\"1.1.0\",\"deviceNames\":[\"dev-1\"]}");
            assertThat(result.path("delivered").get(0).asText()).isEqualTo("dev-1");
            String jobId = result.path("jobId").asText();

            JsonNode update = device.await("update_firmware", WAIT);
            assertThat(update).isNotNull();
            assertThat(update.path("file_size").isNumber()).isTrue();
            assertThat(update.path("file_size").asLong()).isEqualTo(firmware.length);
            assertThat(update.path("md5sum").asText()).isEqualTo(FirmwareDigests.md5Hex(firmware));
            assertThat(update.path("version").asText()).isEqualTo("1.1.0");

            device.reportDownloading("1.1.0", 0);
            SimulatedDevice.Download download =
                    device.download(update.path("url").asText(), 0, Long.MAX_VALUE);
            assertThat(download.status()).isEqualTo(200);
            assertThat(FirmwareDigests.md5Hex(download.body()))
                    .isEqualTo(update.path("md5sum").asText());
            device.reportDownloading("1.1.0", 50);
            device.reportDownloading("1.1.0", 100);
            device.reportBurning("1.1.0");
            device.reportDone("1.1.0");
            device.reportVersion("1.1.0");
            assertThat(device.await("report_version_rsp", WAIT).path("version").asText())
                    .isEqualTo("1.1.0");
            assertThat(stack.router().awaitIdle(10_000)).isTrue();

            Map<String, AttributeValue> row = executionRow(jobId, "dev-1");
            assertThat(row.get("status").s()).isEqualTo("SUCCEEDED");
            assertThat(row.get("fromVersion").s()).isEqualTo("1.0.0");
            assertThat(row.get("targetVersion").s()).isEqualTo("1.1.0");
            // Counts live on the job's counter shards; the job operations sum them.
            var counts = stack.jobs().statistics(jobId).counts();
            assertThat(counts)
                    .containsEntry(dev.ota.domain.ExecutionStatus.SUCCEEDED, 1L)
                    .containsEntry(dev.ota.domain.ExecutionStatus.DELIVERED, 0L);
            assertThat(stack.router().deadLetters()).isEmpty();
        }
    }

    @Test
    void interruptedDownloadResumesWithRangeOnAFreshUrl() throws Exception {
        String product = "RESUMEPRODUCT";
        byte[] firmware = SharedStack.firmwareBytes(500_000, 2);
        SharedStack.uploadAndRegister(stack, product, "2.0.0", firmware);
        try (SimulatedDevice device = new SimulatedDevice(
                        dev.ota.local.device.Registered.mqttUrl(stack, product, "dev-r"), product, "dev-r", "ota")
                // The documented device topic: each report by Basic Ingest to its own rule.
                .viaBasicIngest(new SimulatedDevice.BasicIngest(
                        stack.parameter("VersionReportRuleName"), stack.parameter("ProgressReportRuleName")))
                .connect()) {
            SharedStack.invoke(
                    stack,
                    "UpdateDevicesFunction",
                    "{\"productId\":\"" + product + "\",\"version\":\"2.0.0\",\"deviceNames\":[\"dev-r\"]}");
            JsonNode first = device.await("update_firmware", WAIT);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            SimulatedDevice.Download part = device.download(first.path("url").asText(), 0, 200_000);
            got.write(part.body());
            device.reportDownloading("2.0.0", 40);
            // The connection drops; the device comes back and reports its old version, after the
            // resend cooldown (inside it a version report gets report_version_rsp only: flood control).
            Thread.sleep(SharedStack.resendCooldown(stack).plusMillis(500).toMillis());
            String reportedAt = AMZ_DATE.format(java.time.Instant.now());
            device.reportVersion("1.0.0");
            JsonNode again = device.await("update_firmware", WAIT);
            assertThat(again).isNotNull();
            assertThat(amzDate(again.path("url").asText()))
                    .as("URL minted at the re-report")
                    .isGreaterThanOrEqualTo(reportedAt);
            assertThat(again.path("md5sum").asText())
                    .isEqualTo(first.path("md5sum").asText());
            assertThat(again.path("file_size").asLong())
                    .isEqualTo(first.path("file_size").asLong());
            assertThat(again.path("version").asText()).isEqualTo("2.0.0");

            SimulatedDevice.Download rest = device.download(again.path("url").asText(), got.size(), Long.MAX_VALUE);
            assertThat(rest.status()).isEqualTo(206);
            got.write(rest.body());
            assertThat(got.size()).isEqualTo(firmware.length);
            assertThat(FirmwareDigests.md5Hex(got.toByteArray()))
                    .isEqualTo(first.path("md5sum").asText());
            device.reportDownloading("2.0.0", 100);
            device.reportDone("2.0.0");
            assertThat(stack.router().awaitIdle(10_000)).isTrue();
        }
    }

    private static final java.time.format.DateTimeFormatter AMZ_DATE =
            java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC);

    static String amzDate(String url) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("X-Amz-Date=(\\d{8}T\\d{6}Z)").matcher(url);
        assertThat(m.find()).as("X-Amz-Date in " + url).isTrue();
        return m.group(1);
    }

    private Map<String, AttributeValue> executionRow(String jobId, String device) {
        try (DynamoDbClient dynamo = stack.aws().dynamoDb()) {
            return dynamo.getItem(r -> r.tableName("ExecutionsTable")
                            .key(Map.of(
                                    "jobId", AttributeValue.fromS(jobId), "deviceName", AttributeValue.fromS(device))))
                    .item();
        }
    }
}
