package dev.ota.it;

import static dev.ota.it.OtaTables.n;
import static dev.ota.it.OtaTables.s;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.digest.FirmwareDigests;
import dev.ota.domain.RetryPolicy;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A presigned URL that expired before the device used it: S3 answers 403, the device reports
 * {@code fail} with -3, re-reports its old version and gets the same firmware with a freshly
 * minted URL that works.
 */
class ExpiredUrlIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PRODUCT = "EXPIREDURLPRODUCT";
    private static final String DEVICE = "dev-expiry";

    /** The template's MinValue (60 s) is not enforced locally, so the URLs live 2 s here. */
    private final LocalStack stack = SharedStack.get(SharedStack.s3Presigned(Map.of("UrlExpirySeconds", "2")));

    @Test
    void expiredUrlIsReportedAsMinus3AndCuredByAFreshUrlOnTheNextVersionReport() throws Exception {
        byte[] firmware = SharedStack.firmwareBytes(120_000, 7);
        String md5 = FirmwareDigests.md5Hex(firmware);
        SharedStack.uploadAndRegister(stack, PRODUCT, "1.1.0", firmware);
        String jobId;

        try (SimulatedDevice device = new SimulatedDevice(
                        dev.ota.local.device.Registered.mqttUrl(stack, PRODUCT, DEVICE), PRODUCT, DEVICE, "$ota")
                .connect()) {
            device.reportVersion("1.0.0");
            assertThat(device.await("report_version_rsp", WAIT)).isNotNull();

            JsonNode result = SharedStack.invoke(
                    stack,
                    "UpdateDevicesFunction",
                    "{\"productId\":\"" + PRODUCT + "\",\"version\":\"1.1.0\",\"deviceNames\":[\"" + DEVICE + "\"]}");
            assertThat(result.path("delivered")).extracting(JsonNode::asText).containsExactly(DEVICE);
            jobId = result.path("jobId").asText();

            JsonNode first = device.await("update_firmware", WAIT);
            assertThat(first).isNotNull();
            assertThat(first.path("url").asText()).contains("X-Amz-Expires=2");

            // The device is slow to start: by the time it downloads, the URL has expired.
            device.reportDownloading("1.1.0", 0);
            Thread.sleep(3_000);
            SimulatedDevice.Download expired = device.download(first.path("url").asText(), 0, Long.MAX_VALUE);
            assertThat(expired.status()).isEqualTo(403);

            int before = stack.router().invocations();
            device.reportFail("1.1.0", -3, "signature expired");
            SharedStack.awaitRouted(stack, before, 1);

            Map<String, AttributeValue> failed = OtaTables.execution(stack, jobId, DEVICE);
            assertThat(s(failed, "status")).isEqualTo("RETRY_PENDING");
            assertThat(n(failed, "attempt")).isEqualTo(1);
            assertThat(n(failed, "resultCode")).isEqualTo(-3);
            assertThat(s(failed, "resultMsg")).isEqualTo("signature expired");
            assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of("RETRY_PENDING", 1L));

            // As the C SDK does ~2 s after a failure: report the old version again (the attempt after
            // a -3 starts no earlier than RetryPolicy.FORBIDDEN_SETTLE after it).
            Thread.sleep(RetryPolicy.FORBIDDEN_SETTLE.toMillis() + 200);
            device.drain();
            device.reportVersion("1.0.0");
            assertThat(device.await("report_version_rsp", WAIT).path("version").asText())
                    .isEqualTo("1.0.0");
            JsonNode fresh = device.await("update_firmware", WAIT);
            assertThat(fresh).as("update_firmware after the re-report").isNotNull();
            assertThat(fresh.path("url").asText())
                    .isNotEqualTo(first.path("url").asText());
            assertThat(fresh.path("version").asText()).isEqualTo("1.1.0");
            assertThat(fresh.path("md5sum").asText()).isEqualTo(md5);
            assertThat(fresh.path("file_size").asLong()).isEqualTo(firmware.length);

            SimulatedDevice.Download ok = device.download(fresh.path("url").asText(), 0, Long.MAX_VALUE);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(FirmwareDigests.md5Hex(ok.body())).isEqualTo(md5);

            before = stack.router().invocations();
            device.reportDownloading("1.1.0", 0);
            device.reportDownloading("1.1.0", 100);
            device.reportBurning("1.1.0");
            device.reportDone("1.1.0");
            SharedStack.awaitRouted(stack, before, 4);
        }

        Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, DEVICE);
        assertThat(s(row, "status")).isEqualTo("SUCCEEDED");
        assertThat(n(row, "attempt")).isEqualTo(2);
        assertThat(s(row, "fromVersion")).isEqualTo("1.0.0");
        assertThat(s(row, "targetVersion")).isEqualTo("1.1.0");
        Map<String, AttributeValue> item = OtaTables.device(stack, PRODUCT, DEVICE);
        assertThat(s(item, "execStatus")).isEqualTo("SUCCEEDED");
        assertThat(n(item, "execAttempt")).isEqualTo(2);
        assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of("SUCCEEDED", 1L));
        assertThat(stack.router().deadLetters()).isEmpty();
    }
}
