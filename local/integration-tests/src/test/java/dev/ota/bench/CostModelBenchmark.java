package dev.ota.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.RepoRoot;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
    /** The functions' memory (template.yaml FunctionMemorySize); GB-s scale with it. */
    private static final double MEMORY_GB = 1.0;
    /**
     * Lambda's own lines per invocation in CloudWatch Logs: START, END and REPORT in text format
     * (about 350 bytes together, the REPORT line with its duration, memory and init figures). With
     * the JSON log format and a system log level of WARN they are not sent at all.
     */
    private static final double LAMBDA_SYSTEM_LOG_BYTES = 350;
    /** Rules whose topic filter matches a report on the plain device topic: both report rules (template.yaml). */
    private static final int RULES_PER_DEVICE_TOPIC_MESSAGE = 2;

    @Test
    void dollarsPerMillionUpdates() throws Exception {
        // The functions log JSON lines to stdout (their StructuredLog takes System.out when built):
        // count those bytes, what CloudWatch Logs ingests from the application.
        LongAdder logBytes = new LongAdder();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(new CountingLines(stdout, logBytes), true, StandardCharsets.UTF_8));
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
            IndexWrites indexes = new IndexWrites(
                    stack.aws().dynamoDb(), List.of("DevicesTable", "JobsTable", "ExecutionsTable", "FirmwareTable"));
            AtomicLong indexWrites = new AtomicLong();
            stack.calls().reset();
            logBytes.reset();
            long handlerNanosBefore = handlerNanos(stack);
            long cloudMessagesBefore = stack.aws().iotDataServer().publishCount();
            int invocationsBefore = stack.router().invocations();
            long bytes = 0;
            int s3Gets = 0;

            for (SimulatedDevice d : devices) {
                paced(stack, indexes, indexWrites, () -> d.reportVersion("1.0.0"));
                assertThat(d.await("report_version_rsp", WAIT)).isNotNull();
            }
            var beforeUpdate = indexes.snapshot();
            stack.invoke(
                    "UpdateDevicesFunction",
                    ("{\"productId\":\"COST\",\"version\":\"1.1.0\",\"deviceNames\":[" + String.join(",", names) + "]}")
                            .getBytes(StandardCharsets.UTF_8));
            indexWrites.addAndGet(IndexWrites.between(beforeUpdate, indexes.snapshot()));
            for (SimulatedDevice d : devices) {
                JsonNode update = d.await("update_firmware", WAIT);
                assertThat(update).isNotNull();
                paced(stack, indexes, indexWrites, () -> d.reportDownloading("1.1.0", 0));
                SimulatedDevice.Download download =
                        d.download(update.path("url").asText(), 0, Long.MAX_VALUE);
                s3Gets++;
                bytes += download.body().length;
                for (int p = 10; p <= 100; p += 10) {
                    int percent = p;
                    paced(stack, indexes, indexWrites, () -> d.reportDownloading("1.1.0", percent));
                }
                paced(stack, indexes, indexWrites, () -> d.reportBurning("1.1.0"));
                paced(stack, indexes, indexWrites, () -> d.reportDone("1.1.0"));
                paced(stack, indexes, indexWrites, () -> d.reportVersion("1.1.0"));
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
            double indexWru = indexWrites.get() / n;
            double handlerSeconds = (handlerNanos(stack) - handlerNanosBefore) / 1e9 / n;
            double appLogBytes = logBytes.sum() / n;
            double rru = stack.calls().dynamoReadUnits() / n;
            double gib = bytes / n / (1024.0 * 1024 * 1024);

            StringBuilder t = new StringBuilder(
                    "| item | per device update | $ per million updates, device topic today | $ per million, floor (Basic Ingest, WARN system logs) |\n|---|---|---|---|\n");
            double[] totals = new double[2];
            // Basic Ingest ($aws/rules/<rule>/...): no messaging charge, and the message reaches the named rule alone.
            row(t, totals, "IoT messages, device → cloud", inbound, inbound * IOT_MESSAGE, 0);
            row(
                    t,
                    totals,
                    "IoT messages, cloud → device (QoS 1)",
                    outbound,
                    outbound * IOT_MESSAGE,
                    outbound * IOT_MESSAGE);
            // A QoS 1 publish to a device is metered again when the device's PUBACK comes back.
            row(
                    t,
                    totals,
                    "IoT messages, devices' PUBACKs of those",
                    outbound,
                    outbound * IOT_MESSAGE,
                    outbound * IOT_MESSAGE);
            row(
                    t,
                    totals,
                    "IoT rules triggered (" + RULES_PER_DEVICE_TOPIC_MESSAGE + " per report today, 1 by Basic Ingest)",
                    inbound * RULES_PER_DEVICE_TOPIC_MESSAGE,
                    inbound * RULES_PER_DEVICE_TOPIC_MESSAGE * IOT_RULE_TRIGGERED,
                    inbound * IOT_RULE_TRIGGERED);
            row(
                    t,
                    totals,
                    "IoT rule actions (Lambda)",
                    ruleInvocations,
                    ruleInvocations * IOT_RULE_ACTION,
                    ruleInvocations * IOT_RULE_ACTION);
            row(t, totals, "Lambda requests", invocations, invocations * LAMBDA_REQUEST, invocations * LAMBDA_REQUEST);
            double gbSeconds = (handlerSeconds + invocations * 0.001) * MEMORY_GB;
            row(
                    t,
                    totals,
                    String.format(
                            "Lambda GB-s (arm64, %.0f MB; handler time measured here, %.1f ms per invocation, +1 ms rounding)",
                            MEMORY_GB * 1024, handlerSeconds / invocations * 1000),
                    gbSeconds,
                    gbSeconds * LAMBDA_GB_SECOND_ARM,
                    gbSeconds * LAMBDA_GB_SECOND_ARM);
            row(t, totals, "DynamoDB write units, tables", wru, wru * DYNAMO_WRITE_UNIT, wru * DYNAMO_WRITE_UNIT);
            row(
                    t,
                    totals,
                    "DynamoDB write units, secondary indexes",
                    indexWru,
                    indexWru * DYNAMO_WRITE_UNIT,
                    indexWru * DYNAMO_WRITE_UNIT);
            row(t, totals, "DynamoDB read units", rru, rru * DYNAMO_READ_UNIT, rru * DYNAMO_READ_UNIT);
            row(t, totals, "S3 GET requests", s3Gets / n, s3Gets / n * S3_GET, s3Gets / n * S3_GET);
            row(
                    t,
                    totals,
                    "CloudWatch Logs: the functions' JSON lines (bytes, measured)",
                    appLogBytes,
                    appLogBytes / 1e9 * LOG_INGEST_PER_GB,
                    appLogBytes / 1e9 * LOG_INGEST_PER_GB);
            double systemLogBytes = invocations * LAMBDA_SYSTEM_LOG_BYTES;
            row(
                    t,
                    totals,
                    "CloudWatch Logs: Lambda's START/END/REPORT lines (bytes)",
                    systemLogBytes,
                    systemLogBytes / 1e9 * LOG_INGEST_PER_GB,
                    0);
            t.append(String.format(
                    "| **total, without data transfer** | | **%.2f** | **%.2f** |%n",
                    totals[0] * 1e6, totals[1] * 1e6));
            t.append(String.format(
                    "| S3 data transfer out (%.2f MB image) | %.6f GiB | %.2f | %.2f |%n",
                    bytes / n / 1e6, gib, gib * TRANSFER_OUT_PER_GB * 1e6, gib * TRANSFER_OUT_PER_GB * 1e6));
            double total = totals[0];
            String report = "Measured over " + DEVICES + " device updates on the local stack; AWS calls: "
                    + stack.calls().snapshot() + "\n\n" + t;
            System.setOut(stdout);
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
    private static void paced(LocalStack stack, IndexWrites indexes, AtomicLong indexWrites, Runnable report) {
        var indexBefore = indexes.snapshot();
        int before = stack.router().invocations();
        report.run();
        long deadline = System.currentTimeMillis() + 15_000;
        while (stack.router().invocations() <= before && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(stack.router().awaitIdle(15_000)).isTrue();
        indexWrites.addAndGet(IndexWrites.between(indexBefore, indexes.snapshot()));
    }

    private static long handlerNanos(LocalStack stack) {
        return stack.functions().values().stream()
                .mapToLong(f -> f.handlerNanos())
                .sum();
    }

    private static void row(
            StringBuilder t, double[] totals, String item, double quantity, double today, double floor) {
        t.append(String.format("| %s | %.2f | %.2f | %.2f |%n", item, quantity, today * 1e6, floor * 1e6));
        totals[0] += today;
        totals[1] += floor;
    }

    /** Passes output through and adds up the bytes of the JSON lines (the functions' log lines). */
    private static final class CountingLines extends java.io.OutputStream {
        private final java.io.OutputStream out;
        private final LongAdder jsonBytes;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        CountingLines(java.io.OutputStream out, LongAdder jsonBytes) {
            this.out = out;
            this.jsonBytes = jsonBytes;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            out.write(b);
            line.write(b);
            if (b == '\n') {
                if (line.size() > 0 && line.toByteArray()[0] == '{') {
                    jsonBytes.add(line.size());
                }
                line.reset();
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            out.flush();
        }
    }
}
