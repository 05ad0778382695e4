package dev.ota.it;

import static dev.ota.it.OtaTables.n;
import static dev.ota.it.OtaTables.s;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.ExecutionStatus;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * IoT invokes Lambda asynchronously, so device reports arrive twice, late and out of order. The
 * handlers are invoked here directly with rule events whose {@code receivedAt} (the broker's
 * {@code timestamp()}) the test controls; whatever the order, the device item and the job's
 * per-status counts must stay exact. The last test fires concurrent reports through the router.
 */
class DuplicateAndReorderIT {

    private static final String PRODUCT = "DUPREORDERPRODUCT";
    private static final String OLD = "1.0.0";
    private static final String TARGET = "2.0.0";
    private static final String APPLIED = "APPLIED";
    private static final String IGNORED = "IGNORED";

    private final LocalStack stack = SharedStack.get();

    @BeforeAll
    static void registerFirmware() throws Exception {
        SharedStack.uploadAndRegister(SharedStack.get(), PRODUCT, TARGET, SharedStack.firmwareBytes(2_048, 11));
    }

    /** One device of its own job: its first version report, then the update; {@link #t0} is when the attempt began. */
    private final class Device {
        final String name;
        final String jobId;
        final long t0;

        Device(String name) throws Exception {
            this.name = name;
            assertThat(version(OLD, System.currentTimeMillis() - 60_000)).isEqualTo(IGNORED);
            JsonNode result = SharedStack.invoke(
                    stack,
                    "UpdateDevicesFunction",
                    "{\"productId\":\"" + PRODUCT + "\",\"version\":\"" + TARGET + "\",\"deviceNames\":[\"" + name
                            + "\"]}");
            assertThat(result.path("delivered")).extracting(JsonNode::asText).containsExactly(name);
            this.jobId = result.path("jobId").asText();
            this.t0 = n(item(), "execAttemptStartedAt");
            assertState("DELIVERED", 0, 1);
        }

        String downloading(int percent, long at) throws Exception {
            return progress("downloading", percent, 0, at);
        }

        String progress(String state, Integer percent, int code, long at) throws Exception {
            ObjectNode event = SharedStack.JSON.createObjectNode().put("type", "report_progress");
            ObjectNode report = event.putObject("report");
            ObjectNode progress = report.putObject("progress").put("state", state);
            if (percent != null) {
                progress.put("percent", String.valueOf(percent));
            }
            progress.put("result_code", String.valueOf(code)).put("result_msg", code == 0 ? "" : "time_out");
            report.put("version", TARGET);
            return invoke("ProgressReportFunction", withRuleFields(event, at));
        }

        String version(String version, long at) throws Exception {
            ObjectNode event = SharedStack.JSON.createObjectNode().put("type", "report_version");
            event.putObject("report").put("version", version);
            return invoke("VersionReportFunction", withRuleFields(event, at));
        }

        /** What the rule's SELECT adds: productId and deviceName from the topic, clientid(), timestamp(). */
        private ObjectNode withRuleFields(ObjectNode event, long at) {
            return event.put("productId", PRODUCT)
                    .put("deviceName", name)
                    .put(
                            "clientId",
                            dev.ota.domain.device.ThingName.of(PRODUCT, name).value())
                    .put("receivedAt", at);
        }

        private String invoke(String function, ObjectNode event) throws Exception {
            JsonNode response = SharedStack.JSON.readTree(
                    stack.invoke(function, event.toString().getBytes(StandardCharsets.UTF_8)));
            assertThat(response.path("outcome").asText())
                    .as(event + " -> " + response)
                    .isIn(APPLIED, IGNORED);
            return response.path("outcome").asText();
        }

        Map<String, AttributeValue> item() {
            return OtaTables.device(stack, PRODUCT, name);
        }

        /**
         * The device item's live execution, its Executions row, and the job counting it exactly once.
         * The row and counts hold an attempt in flight as DELIVERED ({@link ExecutionStatus#recorded}).
         */
        void assertState(String status, int percent, int attempt) {
            String recorded = ExecutionStatus.valueOf(status).recorded().name();
            Map<String, AttributeValue> item = item();
            assertThat(s(item, "execStatus")).as("execStatus").isEqualTo(status);
            assertThat(n(item, "execPercent")).as("execPercent").isEqualTo(percent);
            assertThat(n(item, "execAttempt")).as("execAttempt").isEqualTo(attempt);
            Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, name);
            assertThat(s(row, "status")).as("Executions row status").isEqualTo(recorded);
            assertThat(n(row, "attempt")).as("Executions row attempt").isEqualTo(attempt);
            assertThat(OtaTables.counts(stack, jobId)).as("job counts").isEqualTo(Map.of(recorded, 1L));
        }
    }

    @Test
    void duplicateAndBackwardDownloadingReportsChangeNothing() throws Exception {
        Device d = new Device("dev-dup");
        assertThat(d.downloading(10, d.t0 + 1_000)).isEqualTo(APPLIED);
        d.assertState("DOWNLOADING", 10, 1);
        assertThat(d.downloading(10, d.t0 + 1_000)).as("the same report again").isEqualTo(IGNORED);
        d.assertState("DOWNLOADING", 10, 1);
        assertThat(d.downloading(80, d.t0 + 3_000)).isEqualTo(APPLIED);
        d.assertState("DOWNLOADING", 80, 1);
        assertThat(d.downloading(40, d.t0 + 2_000))
                .as("an older report arriving late")
                .isEqualTo(IGNORED);
        d.assertState("DOWNLOADING", 80, 1);
        assertThat(d.downloading(40, d.t0 + 4_000))
                .as("a newer report with a lower percent")
                .isEqualTo(IGNORED);
        d.assertState("DOWNLOADING", 80, 1);
        assertThat(d.downloading(80, d.t0 + 3_000)).isEqualTo(IGNORED);
        d.assertState("DOWNLOADING", 80, 1);
    }

    @Test
    void doneTwiceAndReportsAfterDoneChangeNothing() throws Exception {
        Device d = new Device("dev-done-twice");
        assertThat(d.downloading(50, d.t0 + 1_000)).isEqualTo(APPLIED);
        assertThat(d.progress("done", null, 0, d.t0 + 3_000)).isEqualTo(APPLIED);
        d.assertState("SUCCEEDED", 100, 1);
        assertThat(d.progress("done", null, 0, d.t0 + 3_000))
                .as("done delivered twice")
                .isEqualTo(IGNORED);
        d.assertState("SUCCEEDED", 100, 1);
        assertThat(d.downloading(90, d.t0 + 2_000))
                .as("a downloading sent before done, arriving after it")
                .isEqualTo(IGNORED);
        assertThat(d.downloading(95, d.t0 + 4_000))
                .as("a downloading after done")
                .isEqualTo(IGNORED);
        assertThat(d.progress("burning", null, 0, d.t0 + 2_500)).isEqualTo(IGNORED);
        assertThat(d.progress("fail", null, -1, d.t0 + 5_000)).isEqualTo(IGNORED);
        d.assertState("SUCCEEDED", 100, 1);
    }

    @Test
    void burningBeforeDownloadingWinsAndTheLateDownloadingIsIgnored() throws Exception {
        Device d = new Device("dev-burn-first");
        assertThat(d.progress("burning", null, 0, d.t0 + 2_000)).isEqualTo(APPLIED);
        d.assertState("BURNING", 100, 1);
        assertThat(d.downloading(30, d.t0 + 1_000)).isEqualTo(IGNORED);
        assertThat(d.downloading(60, d.t0 + 3_000)).isEqualTo(IGNORED);
        d.assertState("BURNING", 100, 1);
        assertThat(d.progress("burning", null, 0, d.t0 + 2_000)).isEqualTo(IGNORED);
        assertThat(d.progress("done", null, 0, d.t0 + 4_000)).isEqualTo(APPLIED);
        d.assertState("SUCCEEDED", 100, 1);
    }

    @Test
    void reportsFromAPreviousAttemptAreIgnoredAndARetriedDeviceIsCountedOnce() throws Exception {
        Device d = new Device("dev-retried");
        assertThat(d.downloading(20, d.t0 + 1_000)).isEqualTo(APPLIED);
        assertThat(d.progress("fail", null, -4, d.t0 + 2_000)).isEqualTo(APPLIED);
        d.assertState("RETRY_PENDING", 20, 1);
        assertThat(d.version(OLD, d.t0 + 3_000))
                .as("the re-report starts attempt 2")
                .isEqualTo(APPLIED);
        // percent is the furthest the device got (docs/protocol.md, "Event time"): a function of
        // the reports kept, whatever their order, so attempt 2 starts from attempt 1's 20 %
        d.assertState("DELIVERED", 20, 2);
        assertThat(n(d.item(), "execAttemptStartedAt")).isEqualTo(d.t0 + 3_000);

        assertThat(d.downloading(60, d.t0 + 1_500))
                .as("attempt 1's downloading, delayed: kept in the history")
                .isEqualTo(APPLIED);
        assertThat(d.progress("fail", null, -4, d.t0 + 2_000))
                .as("attempt 1's fail, delivered again")
                .isEqualTo(IGNORED);
        // (a done of attempt 1 newer than its fail would win: the SDK retried after a truncated
        // download, docs/protocol.md; EventOrderRegressionTest and the property tests hold that)
        d.assertState("DELIVERED", 60, 2);

        assertThat(d.downloading(10, d.t0 + 4_000)).isEqualTo(APPLIED);
        d.assertState("DOWNLOADING", 60, 2);
        assertThat(d.downloading(70, d.t0 + 5_000)).isEqualTo(APPLIED);
        d.assertState("DOWNLOADING", 70, 2);
    }

    @Test
    void versionReportsAreOrderedByReceiveTime() throws Exception {
        Device d = new Device("dev-stale-version");
        assertThat(d.version(OLD, d.t0 + 5_000))
                .as("the old version: update_firmware is sent again")
                .isEqualTo(APPLIED);
        assertThat(n(d.item(), "lastSeenAt")).isEqualTo(d.t0 + 5_000);

        // Event time: the target was reported at 4 s, before the old version at 5 s. In that order
        // the update succeeded at 4 s; the device's current version is its newest report's.
        assertThat(d.version(TARGET, d.t0 + 4_000))
                .as("the target, received before the old version's report that arrived first")
                .isEqualTo(APPLIED);
        d.assertState("SUCCEEDED", 100, 1);
        assertThat(s(d.item(), "currentVersion")).isEqualTo(OLD);
        assertThat(n(d.item(), "lastSeenAt")).isEqualTo(d.t0 + 5_000);

        // the newest report moves the device's version; the execution has nothing left to decide
        d.version(TARGET, d.t0 + 6_000);
        assertThat(s(d.item(), "currentVersion")).isEqualTo(TARGET);
        d.assertState("SUCCEEDED", 100, 1);

        assertThat(d.version(OLD, d.t0 + 5_500))
                .as("the old version, sent before the new one")
                .isEqualTo(IGNORED);
        assertThat(d.version(TARGET, d.t0 + 6_000))
                .as("Lambda's retry of the same report")
                .isEqualTo(IGNORED);
        assertThat(s(d.item(), "currentVersion")).isEqualTo(TARGET);
        assertThat(n(d.item(), "lastSeenAt")).isEqualTo(d.t0 + 6_000);
        d.assertState("SUCCEEDED", 100, 1);
    }

    /**
     * Three devices of one job, 20 reports each, published concurrently over MQTT; the router runs
     * them on several threads at once, in whatever order. However they interleave, each device's
     * item, its Executions row and the job's counts must agree, and the counts sum to 3.
     */
    @Test
    void concurrentReportsThroughTheRouterLeaveConsistentStateAndExactCounts() throws Exception {
        List<String> names = List.of("dev-conc-done", "dev-conc-fail", "dev-conc-both");
        Map<String, SimulatedDevice> devices = new TreeMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (String name : names) {
                devices.put(
                        name,
                        new SimulatedDevice(
                                        dev.ota.local.device.Registered.mqttUrl(stack, PRODUCT, name),
                                        PRODUCT,
                                        name,
                                        "ota")
                                .connect());
            }
            JsonNode result = SharedStack.invoke(
                    stack,
                    "UpdateDevicesFunction",
                    "{\"productId\":\"" + PRODUCT + "\",\"version\":\"" + TARGET + "\",\"deviceNames\":[\""
                            + String.join("\",\"", names) + "\"]}");
            assertThat(result.path("delivered")).hasSize(3);
            String jobId = result.path("jobId").asText();

            List<Runnable> reports = new ArrayList<>();
            for (SimulatedDevice device : devices.values()) {
                boolean done = !device.deviceName().equals("dev-conc-fail");
                boolean fail = !device.deviceName().equals("dev-conc-done");
                for (int percent = 0; percent <= 75; percent += 5) {
                    int p = percent;
                    reports.add(() -> device.reportDownloading(TARGET, p));
                }
                reports.add(() -> device.reportDownloading(TARGET, 40));
                reports.add(() -> device.reportBurning(TARGET));
                reports.add(done ? () -> device.reportDone(TARGET) : () -> device.reportBurning(TARGET));
                reports.add(
                        fail ? () -> device.reportFail(TARGET, -5, "burn failed") : () -> device.reportDone(TARGET));
            }
            assertThat(reports).hasSize(60);
            Collections.shuffle(reports, new Random(42));

            int before = stack.router().invocations();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> sent = new ArrayList<>();
            for (Runnable report : reports) {
                sent.add(pool.submit(() -> {
                    go.await();
                    report.run();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
            SharedStack.awaitRouted(stack, before, reports.size());

            Map<String, Long> expected = new TreeMap<>();
            for (String name : names) {
                Map<String, AttributeValue> item = OtaTables.device(stack, PRODUCT, name);
                Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, name);
                String status = s(item, "execStatus");
                assertThat(s(row, "status"))
                        .as(name + ": Executions row agrees with the device item")
                        .isEqualTo(status);
                assertThat(n(item, "execAttempt")).isEqualTo(1);
                assertThat(n(row, "attempt")).isEqualTo(1);
                expected.merge(status, 1L, Long::sum);
            }
            assertThat(s(OtaTables.device(stack, PRODUCT, "dev-conc-done"), "execStatus"))
                    .isEqualTo("SUCCEEDED");
            assertThat(n(OtaTables.device(stack, PRODUCT, "dev-conc-done"), "execPercent"))
                    .isEqualTo(100);
            assertThat(s(OtaTables.device(stack, PRODUCT, "dev-conc-fail"), "execStatus"))
                    .isEqualTo("RETRY_PENDING");
            assertThat(n(OtaTables.device(stack, PRODUCT, "dev-conc-fail"), "execResultCode"))
                    .isEqualTo(-5);
            assertThat(s(OtaTables.device(stack, PRODUCT, "dev-conc-both"), "execStatus"))
                    .isIn("SUCCEEDED", "RETRY_PENDING");

            Map<String, Long> counts = OtaTables.counts(stack, jobId);
            assertThat(counts).isEqualTo(expected);
            assertThat(counts.values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(3);
            assertThat(Set.copyOf(counts.keySet())).doesNotContain("DELIVERED", "DOWNLOADING", "BURNING");
            assertThat(stack.router().deadLetters()).isEmpty();
        } finally {
            pool.shutdownNow();
            devices.values().forEach(SimulatedDevice::close);
        }
    }
}
