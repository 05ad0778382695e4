package dev.ota.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.device.Registered;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalFunction;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.RepoRoot;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Dollars per million device updates, from what a real update costs on the local stack, as the
 * template deploys it: devices report by Basic Ingest (the documented device topic), get the update,
 * download it over HTTP reporting downloading 0,10..100 (the C SDK reports at most once a second;
 * ten reports is a 1 MB image on a slow link), burn, report done, reboot and report the new
 * version. A first round of devices warms the functions up (JIT), as a Lambda environment is warm
 * for all but its first invocations; the second round is measured. Messages, rule triggers and
 * invocations, AWS calls, table and index write units, handler time and CPU time, and the
 * functions' log bytes are counted; prices are us-east-1 list prices. Writes target/cost.md. Run
 * (under the shared lock, it times things): {@code flock /work/notes/bench.lock mvn -B test -pl
 * local/integration-tests -am -Dtest=CostModelBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class CostModelBenchmark {

    private static final int DEVICES = 20;
    private static final int WARM_UP_DEVICES = 10;
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
    /** EventBridge custom events, per 64 KB entry (us-east-1 list price). */
    private static final double EVENTBRIDGE_EVENT = 1.00 / 1e6;
    /** Lambda gives a function one full vCPU at 1,769 MB, and CPU in proportion to memory below that. */
    private static final double MB_PER_VCPU = 1769;
    /** Duration is billed in whole milliseconds: at most 1 ms more per invocation (an upper bound). */
    private static final double ROUNDING_SECONDS = 0.001;
    /**
     * Lambda's own START, END and REPORT lines in text format, about 350 bytes per invocation. The
     * template's SystemLogLevel WARN (JSON log format) drops them: they cost nothing as deployed.
     */
    private static final double LAMBDA_SYSTEM_LOG_BYTES = 350;
    /** A report on the plain topic ota/report/+/+ reaches both report rules (template.yaml). */
    private static final int RULES_ON_THE_PLAIN_TOPIC = 2;

    private static final List<Integer> MEMORY_SIZES = List.of(256, 512, 1024, 1769);
    private static final List<String> REPORT_FUNCTIONS = List.of("VersionReportFunction", "ProgressReportFunction");

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
            SimulatedDevice.BasicIngest basicIngest = new SimulatedDevice.BasicIngest(
                    stack.parameter("VersionReportRuleName"), stack.parameter("ProgressReportRuleName"));
            AtomicLong deviceMessages = new AtomicLong();
            stack.aws().broker().addClientPublishListener(p -> deviceMessages.incrementAndGet());
            IndexWrites indexes = new IndexWrites(
                    stack.aws().dynamoDb(), List.of("DevicesTable", "JobsTable", "ExecutionsTable", "FirmwareTable"));

            Round warmUp = new Round(stack, indexes, basicIngest, "warm-", WARM_UP_DEVICES);
            warmUp.run();
            warmUp.close();

            Round round = new Round(stack, indexes, basicIngest, "cost-", DEVICES);
            stack.calls().reset();
            logBytes.reset();
            long emfBytesBefore = stack.metrics().documentBytes();
            Map<String, long[]> functionsBefore = functionTotals(stack);
            long cloudMessagesBefore = stack.aws().iotDataServer().publishCount();
            long atLeastOnceBefore = stack.aws().iotDataServer().atLeastOnceCount();
            long deviceMessagesBefore = deviceMessages.get();
            int invocationsBefore = stack.router().invocations();
            int triggeredBefore = stack.router().triggered();
            String loadBefore = loadAverage();
            round.run();
            assertThat(stack.router().awaitIdle(30_000)).isTrue();
            String load = "load average " + loadBefore + " before the measured round, " + loadAverage() + " after";

            double n = DEVICES;
            Map<String, long[]> functions = functionTotals(stack);
            functions.replaceAll((id, after) -> {
                long[] before = functionsBefore.getOrDefault(id, new long[3]);
                return new long[] {after[0] - before[0], after[1] - before[1], after[2] - before[2]};
            });
            functions.values().removeIf(f -> f[0] == 0);
            double inbound = (deviceMessages.get() - deviceMessagesBefore) / n;
            double outbound = (stack.aws().iotDataServer().publishCount() - cloudMessagesBefore) / n;
            double atLeastOnce = (stack.aws().iotDataServer().atLeastOnceCount() - atLeastOnceBefore) / n;
            double triggered = (stack.router().triggered() - triggeredBefore) / n;
            double ruleInvocations = (stack.router().invocations() - invocationsBefore) / n;
            double directInvocations = 1 / n; // update-devices, invoked directly once per round
            double invocations = ruleInvocations + directInvocations;
            double wru = stack.calls().dynamoWriteUnits() / n;
            double transactionItems = stack.calls().dynamoTransactionItems() / n;
            // The report path's status transactions (update-devices' release stays a transaction).
            double reportTransactions = (transactions(stack) - round.releaseTransactions) / n;
            double reportTransactionItems =
                    (stack.calls().dynamoTransactionItems() - round.releaseTransactionItems) / n;
            Map<String, Long> indexByName = round.indexWrites;
            double indexWru =
                    indexByName.values().stream().mapToLong(Long::longValue).sum() / n;
            double appLogBytes = logBytes.sum() / n;
            // Locally the EMF documents go to LocalMetrics; on AWS they are log lines on stdout.
            double emfBytes = (stack.metrics().documentBytes() - emfBytesBefore) / n;
            double rru = stack.calls().dynamoReadUnits() / n;
            double gib = round.bytes / n / (1024.0 * 1024 * 1024);
            int reportMemory = Integer.parseInt(stack.parameter("DeviceReportMemorySize"));
            int otherMemory = Integer.parseInt(stack.parameter("FunctionMemorySize"));

            // ---- duration: measured CPU time stretched by the CPU share, plus measured I/O wait ----
            StringBuilder d = new StringBuilder(
                    "| function | invocations per update | handler time, ms per invocation (measured) | CPU time, ms (measured) | I/O wait, ms (the rest) |");
            MEMORY_SIZES.forEach(m -> d.append(" modelled ms at ").append(m).append(" MB |"));
            d.append("\n|---|---|---|---|---|")
                    .append("---|".repeat(MEMORY_SIZES.size()))
                    .append('\n');
            double[] gbSecondsAt = new double[MEMORY_SIZES.size()];
            double deployedGbSeconds = 0;
            for (Map.Entry<String, long[]> f : functions.entrySet()) {
                long count = f.getValue()[0];
                double wallMs = f.getValue()[1] / 1e6 / count;
                double cpuMs = f.getValue()[2] / 1e6 / count;
                double ioMs = Math.max(0, wallMs - cpuMs);
                d.append(String.format(
                        "| %s | %.2f | %.1f | %.1f | %.1f |", f.getKey(), count / n, wallMs, cpuMs, ioMs));
                for (int i = 0; i < MEMORY_SIZES.size(); i++) {
                    int mb = MEMORY_SIZES.get(i);
                    double ms = modelledMillis(cpuMs, ioMs, mb);
                    d.append(String.format(" %.1f |", ms));
                    // The report functions at each size; the others stay at their own size.
                    int size = REPORT_FUNCTIONS.contains(f.getKey()) ? mb : otherMemory;
                    gbSecondsAt[i] +=
                            count / n * (modelledMillis(cpuMs, ioMs, size) / 1000 + ROUNDING_SECONDS) * size / 1024.0;
                }
                d.append('\n');
                int deployedSize = REPORT_FUNCTIONS.contains(f.getKey()) ? reportMemory : otherMemory;
                deployedGbSeconds += count
                        / n
                        * (modelledMillis(cpuMs, ioMs, deployedSize) / 1000 + ROUNDING_SECONDS)
                        * deployedSize
                        / 1024.0;
            }
            d.append(
                    "\n| report functions' memory | GB-s per update | $ per million updates (Lambda duration) |\n|---|---|---|\n");
            for (int i = 0; i < MEMORY_SIZES.size(); i++) {
                d.append(String.format(
                        "| %d MB | %.4f | %.2f |%n",
                        MEMORY_SIZES.get(i), gbSecondsAt[i], gbSecondsAt[i] * LAMBDA_GB_SECOND_ARM * 1e6));
            }

            // ---- the model: as deployed (Basic Ingest), the plain topic, and the hot-path change ----
            StringBuilder t = new StringBuilder(
                    "| item | per device update | $ per million, as deployed (Basic Ingest) | $ per million, plain topic ota/report | $ per million, Basic Ingest + hot path without transactions (estimate) |\n|---|---|---|---|---|\n");
            double[] totals = new double[3];
            // Basic Ingest: no messaging charge; on the plain topic each report is a metered message.
            row(t, totals, "IoT messages, device → cloud", inbound, 0, inbound * IOT_MESSAGE, 0);
            double out = outbound * IOT_MESSAGE;
            // The functions publish over HTTP (IoT Data Plane Publish): the request is metered as a
            // message, and its delivery to the device once more.
            row(t, totals, "IoT messages, the functions' HTTP Publish requests", outbound, out, out, out);
            row(t, totals, "IoT messages, cloud → device (delivery)", outbound, out, out, out);
            // A QoS 1 publish to a device is metered again when the device's PUBACK comes back;
            // report_version_rsp goes at QoS 0 (no PUBACK).
            double pubacks = atLeastOnce * IOT_MESSAGE;
            row(
                    t,
                    totals,
                    "IoT messages, devices' PUBACKs of the QoS 1 ones (update_firmware)",
                    atLeastOnce,
                    pubacks,
                    pubacks,
                    pubacks);
            double plainTriggered = inbound * RULES_ON_THE_PLAIN_TOPIC;
            row(
                    t,
                    totals,
                    String.format(
                            "IoT rules triggered (measured %.2f per report by Basic Ingest; %d on the plain topic)",
                            triggered / inbound, RULES_ON_THE_PLAIN_TOPIC),
                    triggered,
                    triggered * IOT_RULE_TRIGGERED,
                    plainTriggered * IOT_RULE_TRIGGERED,
                    triggered * IOT_RULE_TRIGGERED);
            double actions = ruleInvocations * IOT_RULE_ACTION;
            row(t, totals, "IoT rule actions (Lambda)", ruleInvocations, actions, actions, actions);
            double requests = invocations * LAMBDA_REQUEST;
            row(t, totals, "Lambda requests", invocations, requests, requests, requests);
            double gbs = deployedGbSeconds * LAMBDA_GB_SECOND_ARM;
            row(
                    t,
                    totals,
                    String.format(
                            "Lambda GB-s (arm64; report functions %d MB, others %d MB; modelled from measured CPU and I/O, +1 ms rounding)",
                            reportMemory, otherMemory),
                    deployedGbSeconds,
                    gbs,
                    gbs,
                    gbs);
            // The hot-path change: the same items written by single conditional writes (1 unit each)
            // instead of inside transactions (2 units each); counters repairable by a recount.
            double tableWrites = wru * DYNAMO_WRITE_UNIT;
            row(
                    t,
                    totals,
                    String.format(
                            "DynamoDB write units, tables (%.2f of them: %.2f items in %.2f transactions of the report path)",
                            2 * reportTransactionItems, reportTransactionItems, reportTransactions),
                    wru,
                    tableWrites,
                    tableWrites,
                    (wru - reportTransactionItems) * DYNAMO_WRITE_UNIT);
            double indexWrites = indexWru * DYNAMO_WRITE_UNIT;
            row(t, totals, "DynamoDB write units, secondary indexes", indexWru, indexWrites, indexWrites, indexWrites);
            double events = stack.calls().snapshot().getOrDefault("EventBridge.PutEvents", 0L) / n;
            double eventCost = events * EVENTBRIDGE_EVENT;
            row(t, totals, "EventBridge events (one entry per PutEvents)", events, eventCost, eventCost, eventCost);
            double reads = rru * DYNAMO_READ_UNIT;
            row(t, totals, "DynamoDB read units", rru, reads, reads, reads);
            double gets = round.s3Gets / n * S3_GET;
            row(t, totals, "S3 GET requests", round.s3Gets / n, gets, gets, gets);
            double appLogs = appLogBytes / 1e9 * LOG_INGEST_PER_GB;
            row(
                    t,
                    totals,
                    "CloudWatch Logs: the functions' JSON lines, ApplicationLogLevel INFO (bytes, measured)",
                    appLogBytes,
                    appLogs,
                    appLogs,
                    appLogs);
            double emfLogs = emfBytes / 1e9 * LOG_INGEST_PER_GB;
            row(
                    t,
                    totals,
                    "CloudWatch Logs: the functions' EMF metric documents (bytes, measured)",
                    emfBytes,
                    emfLogs,
                    emfLogs,
                    emfLogs);
            row(
                    t,
                    totals,
                    String.format(
                            "CloudWatch Logs: Lambda's START/END/REPORT lines (SystemLogLevel WARN: none; %.0f bytes at INFO)",
                            invocations * LAMBDA_SYSTEM_LOG_BYTES),
                    0,
                    0,
                    0,
                    0);
            t.append(String.format(
                    "| **total, without data transfer** | | **%.2f** | **%.2f** | **%.2f** |%n",
                    totals[0] * 1e6, totals[1] * 1e6, totals[2] * 1e6));
            double transfer = gib * TRANSFER_OUT_PER_GB * 1e6;
            t.append(String.format(
                    "| S3 data transfer out (%.2f MB image) | %.6f GiB | %.2f | %.2f | %.2f |%n",
                    round.bytes / n / 1e6, gib, transfer, transfer, transfer));

            StringBuilder ix = new StringBuilder("| index | write units per update |\n|---|---|\n");
            indexByName.forEach((index, writes) -> ix.append(String.format("| %s | %.2f |%n", index, writes / n)));

            // The floor of the issue: one write per status change (the device item alone), rows
            // and counters mirrored off the hot path.
            double floorWru = wru - 2 * reportTransactionItems + reportTransactions;
            String hotPath = String.format(
                    "%nHot path: %.2f transactions per update on the report path, %.2f items (%.2f write units); "
                            + "as single writes of the same items %.2f units (saves $%.2f per million); "
                            + "one write per status change instead, %.2f table write units in all (saves $%.2f per million). "
                            + "All transactions, update-devices' release included: %.2f items.%n",
                    reportTransactions,
                    reportTransactionItems,
                    2 * reportTransactionItems,
                    reportTransactionItems,
                    reportTransactionItems * DYNAMO_WRITE_UNIT * 1e6,
                    floorWru,
                    (wru - floorWru) * DYNAMO_WRITE_UNIT * 1e6,
                    transactionItems);
            String report = "Measured over " + DEVICES + " device updates on the local stack (after " + WARM_UP_DEVICES
                    + " warm-up updates; " + load + "); AWS calls: "
                    + stack.calls().snapshot() + "\n\n" + t + hotPath
                    + "\nSecondary-index writes by index:\n\n" + ix
                    + "\nLambda duration by memory size (CPU time × max(1, 1769 MB / size) + I/O wait):\n\n" + d;
            System.setOut(stdout);
            Files.writeString(RepoRoot.find().resolve("local/integration-tests/target/cost.md"), report);
            System.out.println(report);
            round.close();
            assertThat(totals[0]).isPositive();
        }
    }

    /**
     * Lambda time of one invocation at {@code mb}: the CPU part stretched by the CPU share (one vCPU
     * at 1,769 MB, taken to be as fast as a core of this machine; a single-threaded handler gains
     * nothing above it), the I/O wait unchanged.
     */
    private static double modelledMillis(double cpuMs, double ioMs, int mb) {
        return cpuMs * Math.max(1, MB_PER_VCPU / mb) + ioMs;
    }

    /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), to read beside the timings. */
    private static String loadAverage() {
        try {
            String[] f =
                    Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static long transactions(LocalStack stack) {
        return stack.calls().snapshot().getOrDefault("DynamoDb.TransactWriteItems", 0L);
    }

    /** Per function: invocations, handler nanoseconds, handler CPU nanoseconds. */
    private static Map<String, long[]> functionTotals(LocalStack stack) {
        Map<String, long[]> totals = new TreeMap<>();
        for (LocalFunction f : stack.functions().values()) {
            totals.put(f.logicalId(), new long[] {f.invocations(), f.handlerNanos(), f.handlerCpuNanos()});
        }
        return totals;
    }

    /** One full update of {@code count} devices named {@code <prefix><i>}, 1.0.0 to 1.1.0. */
    private static final class Round {
        private final LocalStack stack;
        private final IndexWrites indexes;
        private final List<SimulatedDevice> devices = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        final Map<String, Long> indexWrites = new HashMap<>();
        long bytes;
        int s3Gets;
        /** Transactions of update-devices' release (the job engine's, not the report path's). */
        long releaseTransactions;

        long releaseTransactionItems;

        Round(LocalStack stack, IndexWrites indexes, SimulatedDevice.BasicIngest rules, String prefix, int count) {
            this.stack = stack;
            this.indexes = indexes;
            for (int i = 0; i < count; i++) {
                String name = prefix + i;
                devices.add(new SimulatedDevice(Registered.mqttUrl(stack, "COST", name), "COST", name, "ota")
                        .viaBasicIngest(rules)
                        .connect());
                names.add("\"" + name + "\"");
            }
        }

        void run() throws Exception {
            for (SimulatedDevice d : devices) {
                paced(() -> d.reportVersion("1.0.0"));
                assertThat(d.await("report_version_rsp", WAIT)).isNotNull();
            }
            var beforeUpdate = indexes.snapshot();
            long transactionItemsBefore = stack.calls().dynamoTransactionItems();
            long transactionsBefore = transactions(stack);
            stack.invoke(
                    "UpdateDevicesFunction",
                    ("{\"productId\":\"COST\",\"version\":\"1.1.0\",\"deviceNames\":[" + String.join(",", names) + "]}")
                            .getBytes(StandardCharsets.UTF_8));
            releaseTransactionItems += stack.calls().dynamoTransactionItems() - transactionItemsBefore;
            releaseTransactions += transactions(stack) - transactionsBefore;
            IndexWrites.byIndex(beforeUpdate, indexes.snapshot()).forEach((k, v) -> indexWrites.merge(k, v, Long::sum));
            for (SimulatedDevice d : devices) {
                JsonNode update = d.await("update_firmware", WAIT);
                assertThat(update).isNotNull();
                paced(() -> d.reportDownloading("1.1.0", 0));
                SimulatedDevice.Download download =
                        d.download(update.path("url").asText(), 0, Long.MAX_VALUE);
                s3Gets++;
                bytes += download.body().length;
                for (int p = 10; p <= 100; p += 10) {
                    int percent = p;
                    paced(() -> d.reportDownloading("1.1.0", percent));
                }
                paced(() -> d.reportBurning("1.1.0"));
                paced(() -> d.reportDone("1.1.0"));
                paced(() -> d.reportVersion("1.1.0"));
                assertThat(d.await("report_version_rsp", WAIT)).isNotNull();
            }
        }

        /**
         * Sends one report and waits until its function has run: real devices report at most once a
         * second, so their reports do not race each other the way back-to-back publishes would.
         */
        private void paced(Runnable report) {
            var indexBefore = indexes.snapshot();
            int before = stack.router().invocations();
            report.run();
            long deadline = System.currentTimeMillis() + 15_000;
            while (stack.router().invocations() <= before && System.currentTimeMillis() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(stack.router().awaitIdle(15_000)).isTrue();
            IndexWrites.byIndex(indexBefore, indexes.snapshot()).forEach((k, v) -> indexWrites.merge(k, v, Long::sum));
        }

        void close() {
            devices.forEach(SimulatedDevice::close);
        }
    }

    private static void row(
            StringBuilder t,
            double[] totals,
            String item,
            double quantity,
            double deployed,
            double plainTopic,
            double withoutTransactions) {
        t.append(String.format(
                "| %s | %.2f | %.2f | %.2f | %.2f |%n",
                item, quantity, deployed * 1e6, plainTopic * 1e6, withoutTransactions * 1e6));
        totals[0] += deployed;
        totals[1] += plainTopic;
        totals[2] += withoutTransactions;
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
