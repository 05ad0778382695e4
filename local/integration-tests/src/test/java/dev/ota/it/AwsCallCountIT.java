package dev.ota.it;

import static dev.ota.it.OtaTables.n;
import static dev.ota.it.OtaTables.s;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Counts the AWS API calls each device message kind costs the functions in steady state, with the
 * stack's SDK execution interceptor: reset before a message, read after the router went idle.
 * Writes the table to local/integration-tests/target/aws-calls.md (docs/benchmarks.md carries a copy).
 *
 * <p>The target is asserted: a later {@code downloading} report costs one DynamoDB write
 * (UpdateItem) and no read. The other rows are measurements.
 */
class AwsCallCountIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PRODUCT = "CALLCOUNTPRODUCT";
    private static final String OLD = "1.0.0";
    private static final String TARGET = "1.1.0";
    private static final Set<String> DYNAMO_READS =
            Set.of("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems");
    private static final Set<String> DYNAMO_WRITES =
            Set.of("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem");

    private final LocalStack stack = SharedStack.get();
    private final Map<String, Map<String, Long>> table = new LinkedHashMap<>();

    @Test
    void measuresAwsCallsPerMessageKind() throws Exception {
        byte[] firmware = SharedStack.firmwareBytes(64_000, 21);
        measure("firmware registration (S3 event, 64 kB object)", () -> {
            assertThat(SharedStack.uploadAndRegister(stack, PRODUCT, TARGET, firmware)
                            .path("outcome")
                            .asText())
                    .isEqualTo("REGISTERED");
        });

        try (SimulatedDevice a = device("dev-calls-a");
                SimulatedDevice b = device("dev-calls-b");
                SimulatedDevice c = device("dev-calls-c");
                SimulatedDevice d = device("dev-calls-d")) {
            for (SimulatedDevice device : List.of(a, b, c, d)) {
                routed(device::reportVersion, OLD);
            }
            measureRouted("report_version, no live update", () -> a.reportVersion(OLD));
            assertThat(s(OtaTables.device(stack, PRODUCT, "dev-calls-a"), "currentVersion"))
                    .isEqualTo(OLD);

            measure("update-devices, 1 device", () -> updateDevices("dev-calls-a"));
            measure("update-devices, 3 devices", () -> updateDevices("dev-calls-b", "dev-calls-c", "dev-calls-d"));
            assertThat(a.await("update_firmware", WAIT)).isNotNull();
            Map<String, Long> perDevice =
                    difference(table.get("update-devices, 3 devices"), table.get("update-devices, 1 device"), 2);
            table.put("update-devices, per device (derived: (3 devices − 1 device) / 2)", perDevice);
            table.put(
                    "update-devices, per request (derived: 1 device − per device)",
                    difference(table.get("update-devices, 1 device"), perDevice, 1));

            a.drain();
            // Flood control: inside ResendCooldownSeconds (template default 5 s) of the delivery's
            // start a version report gets report_version_rsp only; past it, update_firmware again.
            measureRouted("report_version, update in flight, inside the resend cooldown", () -> a.reportVersion(OLD));
            Thread.sleep(SharedStack.resendCooldown(stack).plusMillis(500).toMillis());
            a.drain();
            measureRouted("report_version, update in flight (resends update_firmware)", () -> a.reportVersion(OLD));
            assertThat(a.await("update_firmware", WAIT)).isNotNull();

            measureRouted("downloading, first of the attempt", () -> a.reportDownloading(TARGET, 0));
            assertStatus("dev-calls-a", "DOWNLOADING", 0);
            measureRouted("downloading, percent advances", () -> a.reportDownloading(TARGET, 10));
            assertStatus("dev-calls-a", "DOWNLOADING", 10);
            Map<String, Long> later = table.get("downloading, percent advances");
            measureRouted("downloading, duplicate", () -> a.reportDownloading(TARGET, 10));
            assertStatus("dev-calls-a", "DOWNLOADING", 10);
            measureRouted("burning", () -> a.reportBurning(TARGET));
            assertStatus("dev-calls-a", "BURNING", 100);
            measureRouted("done", () -> a.reportDone(TARGET));
            assertStatus("dev-calls-a", "SUCCEEDED", 100);

            measureRouted("report_version, reaching the target", () -> b.reportVersion(TARGET));
            assertStatus("dev-calls-b", "SUCCEEDED", 100);

            // At 0 %: a -1 after progress would be a resume of the same attempt (docs/protocol.md).
            routed(v -> c.reportDownloading(TARGET, 0), TARGET);
            measureRouted("fail (retryable, attempts left)", () -> c.reportFail(TARGET, -1, "time_out"));
            assertStatus("dev-calls-c", "RETRY_PENDING", 0);
            measureRouted("report_version, starting the next attempt", () -> c.reportVersion(OLD));
            assertThat(n(OtaTables.device(stack, PRODUCT, "dev-calls-c"), "execAttempt"))
                    .isEqualTo(2);
            assertStatus("dev-calls-c", "DELIVERED", 0);

            measureRouted(
                    "rejected report (unknown type)",
                    () -> d.publishRaw("{\"type\":\"report_reboot\",\"report\":{}}".getBytes(StandardCharsets.UTF_8)));

            // The target: a downloading report that advances costs one DynamoDB write and no read.
            assertThat(later)
                    .as("AWS calls of a later downloading report")
                    .isEqualTo(Map.of("DynamoDb.UpdateItem", 1L));
            assertThat(later.keySet()).noneMatch(call -> DYNAMO_READS.contains(operation(call)));
        } finally {
            String markdown = markdown();
            System.out.println(markdown);
            Path out = SharedStack.repo().resolve("local/integration-tests/target/aws-calls.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, markdown);
        }
        assertThat(stack.router().deadLetters()).isEmpty();
    }

    private SimulatedDevice device(String name) {
        return new SimulatedDevice(dev.ota.local.device.Registered.mqttUrl(stack, PRODUCT, name), PRODUCT, name, "ota")
                .connect();
    }

    private void updateDevices(String... names) throws Exception {
        JsonNode result = SharedStack.invoke(
                stack,
                "UpdateDevicesFunction",
                "{\"productId\":\"" + PRODUCT + "\",\"version\":\"" + TARGET + "\",\"deviceNames\":[\""
                        + String.join("\",\"", names) + "\"]}");
        assertThat(result.path("delivered")).hasSize(names.length);
    }

    private void assertStatus(String device, String status, int percent) {
        var item = OtaTables.device(stack, PRODUCT, device);
        assertThat(s(item, "execStatus")).as(device).isEqualTo(status);
        assertThat(n(item, "execPercent")).as(device).isEqualTo(percent);
    }

    /** (more − less) / divisor, per call, leaving out zeros. */
    private static Map<String, Long> difference(Map<String, Long> more, Map<String, Long> less, int divisor) {
        Map<String, Long> result = new java.util.TreeMap<>();
        more.forEach((call, count) -> {
            long diff = count - less.getOrDefault(call, 0L);
            assertThat(diff % divisor)
                    .as("calls of " + call + " grow linearly with the devices")
                    .isZero();
            if (diff != 0) {
                result.put(call, diff / divisor);
            }
        });
        return result;
    }

    interface Step {
        void run() throws Exception;
    }

    /** A direct invocation: counted from reset to return. */
    private void measure(String row, Step step) throws Exception {
        assertThat(stack.router().awaitIdle(10_000)).isTrue();
        stack.calls().reset();
        step.run();
        table.put(row, stack.calls().snapshot());
    }

    /** A device publish: counted from reset until the router has run the rule's function and gone idle. */
    private void measureRouted(String row, Runnable publish) throws Exception {
        measure(row, () -> {
            int before = stack.router().invocations();
            publish.run();
            SharedStack.awaitRouted(stack, before, 1);
        });
    }

    private void routed(java.util.function.Consumer<String> publish, String arg) {
        int before = stack.router().invocations();
        publish.accept(arg);
        SharedStack.awaitRouted(stack, before, 1);
    }

    private static String operation(String call) {
        return call.substring(call.indexOf('.') + 1);
    }

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| message | AWS calls | DynamoDB reads | DynamoDB writes | IoT publishes | S3 calls |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, Long>> row : table.entrySet()) {
            Map<String, Long> calls = row.getValue();
            md.append("| ")
                    .append(row.getKey())
                    .append(" | ")
                    .append(
                            calls.isEmpty()
                                    ? "none"
                                    : calls.entrySet().stream()
                                            .map(e -> e.getKey() + (e.getValue() > 1 ? " ×" + e.getValue() : ""))
                                            .collect(Collectors.joining(", ")))
                    .append(" | ")
                    .append(sum(calls, c -> c.startsWith("DynamoDb.") && DYNAMO_READS.contains(operation(c))))
                    .append(" | ")
                    .append(sum(calls, c -> c.startsWith("DynamoDb.") && DYNAMO_WRITES.contains(operation(c))))
                    .append(" | ")
                    .append(sum(calls, c -> c.startsWith("IotDataPlane.")))
                    .append(" | ")
                    .append(sum(calls, c -> c.startsWith("S3.")))
                    .append(" |\n");
        }
        return md.toString();
    }

    private static long sum(Map<String, Long> calls, java.util.function.Predicate<String> which) {
        List<Long> counts = new ArrayList<>();
        calls.forEach((k, v) -> {
            if (which.test(k)) {
                counts.add(v);
            }
        });
        return counts.stream().mapToLong(Long::longValue).sum();
    }
}
