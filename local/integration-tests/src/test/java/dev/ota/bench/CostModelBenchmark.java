package dev.ota.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.RepoRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Dollars per million device updates, from what a real update costs on the local stack: devices
 * report their version, get the update, download it over HTTP reporting downloading 0,10..100 (the
 * C SDK reports at most once a second; ten reports is a 1 MB image on a slow link), burn, report
 * done, reboot and report the new version. Messages, rule invocations and AWS calls are counted;
 * prices are us-east-1 list prices. Run: {@code cd local/integration-tests && mvn -B test -Dtest=CostModelBenchmark}.
 * Writes target/cost.md.
 */
class CostModelBenchmark {

    private static final int DEVICES = 20;
    private static final Duration WAIT = Duration.ofSeconds(20);

    // us-east-1 list prices (facts.md §2), per unit.
    private static final double IOT_MESSAGE = 1.00 / 1e6;
    private static final double IOT_RULE_TRIGGERED = 0.15 / 1e6;
    private static final double IOT_RULE_ACTION = 0.15 / 1e6;
    private static final double LAMBDA_REQUEST = 0.20 / 1e6;
    private static final double LAMBDA_GB_SECOND_ARM = 0.0000133334;
    private static final double DYNAMO_WRITE_UNIT = 0.625 / 1e6;
    private static final double DYNAMO_READ_UNIT = 0.125 / 1e6;
    private static final double S3_GET = 0.0004 / 1000;
    private static final double TRANSFER_OUT_PER_GB = 0.09;
    private static final double LOG_INGEST_PER_GB = 0.50;
    /** Assumed billed duration of a warm invocation at 1024 MB; the local runs are not AWS timings. */
    private static final double BILLED_SECONDS = 0.020;

    private static final double MEMORY_GB = 1.0;
    private static final double LOG_BYTES_PER_INVOCATION = 300;

    @Test
    void dollarsPerMillionUpdates() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            byte[] firmware = new byte[1_000_000];
            new Random(11).nextBytes(firmware);
            String key = "firmware/COST/1.1.0/firmware.bin";
            try (S3Client s3 = stack.aws().s3()) {
                s3.putObject(r -> r.bucket(LocalStack.BUCKET).key(key), RequestBody.fromBytes(firmware));
            }
            stack.invoke(
                    "FirmwareRegistrationFunction",
                    ("{\"productId\":\"COST\",\"version\":\"1.1.0\",\"s3Key\":\"" + key + "\"}")
                            .getBytes(StandardCharsets.UTF_8));
            AtomicLong deviceMessages = new AtomicLong();
            stack.aws().broker().addClientPublishListener(p -> deviceMessages.incrementAndGet());
            List<SimulatedDevice> devices = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < DEVICES; i++) {
                devices.add(new SimulatedDevice(
                                dev.ota.local.device.Registered.mqttUrl(stack, "COST", "cost-" + i),
                                "COST",
                                "cost-" + i,
                                "ota")
                        .connect());
                names.add("\"cost-" + i + "\"");
            }
            stack.calls().reset();
            long cloudMessagesBefore = stack.aws().iotDataServer().publishCount();
            int invocationsBefore = stack.router().invocations();
            long bytes = 0;
            int s3Gets = 0;

            for (SimulatedDevice d : devices) {
                paced(stack, () -> d.reportVersion("1.0.0"));
                assertThat(d.await("report_version_rsp", WAIT)).isNotNull();
            }
            stack.invoke(
                    "UpdateDevicesFunction",
                    ("{\"productId\":\"COST\",\"version\":\"1.1.0\",\"deviceNames\":[" + String.join(",", names) + "]}")
                            .getBytes(StandardCharsets.UTF_8));
            for (SimulatedDevice d : devices) {
                JsonNode update = d.await("update_firmware", WAIT);
                assertThat(update).isNotNull();
                paced(stack, () -> d.reportDownloading("1.1.0", 0));
                SimulatedDevice.Download download =
                        d.download(update.path("url").asText(), 0, Long.MAX_VALUE);
                s3Gets++;
                bytes += download.body().length;
                for (int p = 10; p <= 100; p += 10) {
                    int percent = p;
                    paced(stack, () -> d.reportDownloading("1.1.0", percent));
                }
                paced(stack, () -> d.reportBurning("1.1.0"));
                paced(stack, () -> d.reportDone("1.1.0"));
                paced(stack, () -> d.reportVersion("1.1.0"));
                assertThat(d.await("report_version_rsp", WAIT)).isNotNull();
            }
            assertThat(stack.router().awaitIdle(30_000)).isTrue();

            double n = DEVICES;
            double inbound = deviceMessages.get() / n;
            double outbound = (stack.aws().iotDataServer().publishCount() - cloudMessagesBefore) / n;
            double ruleInvocations = (stack.router().invocations() - invocationsBefore) / n;
            double directInvocations = 1 / n;
            double invocations = ruleInvocations + directInvocations;
            double wru = stack.calls().dynamoWriteUnits() / n;
            double rru = stack.calls().dynamoReadUnits() / n;
            double gib = bytes / n / (1024.0 * 1024 * 1024);

            StringBuilder t =
                    new StringBuilder("| item | per device update | $ per million updates |\n|---|---|---|\n");
            double total = 0;
            total += row(t, "IoT messages, device → cloud", inbound, inbound * IOT_MESSAGE);
            total += row(t, "IoT messages, cloud → device", outbound, outbound * IOT_MESSAGE);
            total += row(
                    t,
                    "IoT rules triggered + Lambda actions",
                    ruleInvocations,
                    ruleInvocations * (IOT_RULE_TRIGGERED + IOT_RULE_ACTION));
            total += row(t, "Lambda requests", invocations, invocations * LAMBDA_REQUEST);
            total += row(
                    t,
                    "Lambda GB-s (arm64, 1024 MB, 20 ms each)",
                    invocations * BILLED_SECONDS * MEMORY_GB,
                    invocations * BILLED_SECONDS * MEMORY_GB * LAMBDA_GB_SECOND_ARM);
            total += row(t, "DynamoDB write units", wru, wru * DYNAMO_WRITE_UNIT);
            total += row(t, "DynamoDB read units", rru, rru * DYNAMO_READ_UNIT);
            total += row(t, "S3 GET requests", s3Gets / n, s3Gets / n * S3_GET);
            total += row(
                    t,
                    "CloudWatch Logs ingestion (~300 B per invocation)",
                    invocations * LOG_BYTES_PER_INVOCATION,
                    invocations * LOG_BYTES_PER_INVOCATION / 1e9 * LOG_INGEST_PER_GB);
            t.append(String.format("| **total, without data transfer** | | **%.2f** |%n", total * 1e6));
            t.append(String.format(
                    "| S3 data transfer out (%.2f MB image) | %.6f GiB | %.2f |%n",
                    bytes / n / 1e6, gib, gib * TRANSFER_OUT_PER_GB * 1e6));
            String report = "Measured over " + DEVICES + " device updates on the local stack; AWS calls: "
                    + stack.calls().snapshot() + "\n\n" + t;
            Files.writeString(RepoRoot.find().resolve("local/integration-tests/target/cost.md"), report);
            System.out.println(report);
            devices.forEach(SimulatedDevice::close);
            assertThat(total).isPositive();
        }
    }

    /**
     * Sends one report and waits until its function has run: real devices report at most once a
     * second, so their reports do not race each other the way back-to-back publishes would.
     */
    private static void paced(LocalStack stack, Runnable report) {
        int before = stack.router().invocations();
        report.run();
        long deadline = System.currentTimeMillis() + 15_000;
        while (stack.router().invocations() <= before && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(stack.router().awaitIdle(15_000)).isTrue();
    }

    private static double row(StringBuilder t, String item, double quantity, double dollars) {
        t.append(String.format("| %s | %.2f | %.2f |%n", item, quantity, dollars * 1e6));
        return dollars;
    }
}
