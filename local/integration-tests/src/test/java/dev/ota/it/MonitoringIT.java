package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.device.Registered;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalMetrics;
import dev.ota.local.stack.LocalStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Metrics (CloudWatch EMF, as CloudWatch would extract them) and EventBridge events on the local
 * stack, each for its cause: a rejected report, accepted reports, a first send and a resend, a
 * download that fails with -3 then -4 and a success, execution outcomes and their events. The
 * stack is this test's own, so every count is exactly its devices'.
 */
class MonitoringIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PRODUCT = "MONITOR";
    private static final String TARGET = "2.0.0";
    private static final String OLD = "1.0.0";

    @Test
    void eachMetricAndEventHasItsCause() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            SharedStack.uploadAndRegister(stack, PRODUCT, TARGET, SharedStack.firmwareBytes(2_048, 5));
            LocalMetrics metrics = stack.metrics();
            try (SimulatedDevice ok = device(stack, "dev-ok");
                    SimulatedDevice bad = device(stack, "dev-bad")) {
                // A report that is not JSON: rejected at the intake, one metric.
                int before = stack.router().invocations();
                ok.publishRaw("{\"type\":\"report_progress\",\"report\":{}}".getBytes(StandardCharsets.UTF_8));
                SharedStack.awaitRouted(stack, before, 1);
                assertThat(metrics.sum("ReportsRejected", Map.of("Type", "report_progress", "Reason", "invalid")))
                        .isEqualTo(1);

                ok.reportVersion(OLD);
                bad.reportVersion(OLD);
                assertThat(ok.await("report_version_rsp", WAIT)).isNotNull();
                assertThat(bad.await("report_version_rsp", WAIT)).isNotNull();
                // Metrics are written when an invocation ends, just after its answer went out.
                assertThat(stack.router().awaitIdle(10_000)).isTrue();
                // Accepted reports have no metric of their own (AWS/Lambda Invocations count them).
                assertThat(metrics.series().keySet())
                        .noneMatch(series -> series.metric().equals("ReportsAccepted"));

                JsonNode created = SharedStack.invoke(
                        stack,
                        "UpdateDevicesFunction",
                        "{\"productId\":\"" + PRODUCT + "\",\"version\":\"" + TARGET
                                + "\",\"deviceNames\":[\"dev-ok\",\"dev-bad\"],\"retry\":{\"maxAttempts\":2,\"retryableCodes\":[-3]}}");
                String jobId = created.path("jobId").asText();
                assertThat(ok.await("update_firmware", WAIT)).isNotNull();
                assertThat(bad.await("update_firmware", WAIT)).isNotNull();
                assertThat(metrics.sum("UpdatesSent", Map.of("Kind", "FIRST"))).isEqualTo(2);

                // The old version again while the update is in flight, past the resend cooldown:
                // the same attempt is resent.
                Thread.sleep(SharedStack.resendCooldown(stack).plusMillis(500).toMillis());
                ok.reportVersion(OLD);
                assertThat(ok.await("update_firmware", WAIT)).isNotNull();
                assertThat(stack.router().awaitIdle(10_000)).isTrue();
                assertThat(metrics.sum("UpdatesSent", Map.of("Kind", "RESEND"))).isEqualTo(1);

                // dev-ok: downloading, burning, done, new version.
                report(stack, () -> ok.reportDownloading(TARGET, 50));
                // A percent that changes no status: no EMF document (it would cost more than the report's write).
                long documentBytes = metrics.documentBytes();
                report(stack, () -> ok.reportDownloading(TARGET, 60));
                assertThat(stack.router().awaitIdle(10_000)).isTrue();
                assertThat(metrics.documentBytes()).isEqualTo(documentBytes);
                report(stack, () -> ok.reportBurning(TARGET));
                report(stack, () -> ok.reportDone(TARGET));
                // dev-bad: -3 (retryable here), a retry, then -4 (not retryable): FAILED.
                report(stack, () -> bad.reportDownloading(TARGET, 10));
                report(stack, () -> bad.reportFail(TARGET, -3, "url expired"));
                bad.drain();
                // A retry after a -3 starts no sooner than 1 s after it (the -5 the C SDK sends behind
                // it must not land on the new attempt; docs/protocol.md): the device waits, as SDKs do.
                Thread.sleep(1_100);
                bad.reportVersion(OLD);
                assertThat(bad.await("update_firmware", WAIT)).isNotNull();
                stack.router().awaitIdle(10_000);
                assertThat(metrics.sum("UpdatesSent", Map.of("Kind", "RETRY"))).isEqualTo(1);
                report(stack, () -> bad.reportDownloading(TARGET, 10));
                report(stack, () -> bad.reportFail(TARGET, -4, "md5 mismatch"));

                assertThat(metrics.sum("ExecutionsDownloading")).isEqualTo(3);
                assertThat(metrics.sum("ExecutionsBurning")).isEqualTo(1);
                assertThat(metrics.sum("ExecutionsSucceeded")).isEqualTo(1);
                assertThat(metrics.sum("ExecutionsFailed")).isEqualTo(1);
                assertThat(metrics.sum("UrlExpired")).isEqualTo(1);
                assertThat(metrics.sum("Md5Mismatch")).isEqualTo(1);
                assertThat(metrics.sum("ExecutionsFinished", Map.of("Outcome", "SUCCEEDED", "ResultCode", "0")))
                        .isEqualTo(1);
                assertThat(metrics.sum("ExecutionsFinished", Map.of("Outcome", "FAILED", "ResultCode", "-4")))
                        .isEqualTo(1);
                assertThat(metrics.series().keySet())
                        .allSatisfy(s -> assertThat(s.namespace()).isEqualTo("OTA/ota-local"));

                List<JsonNode> finished = events(stack, "Execution Finished");
                assertThat(finished).hasSize(2);
                assertThat(finished)
                        .allSatisfy(e -> {
                            assertThat(e.path("source").asText()).isEqualTo("dev.ota");
                            assertThat(e.at("/detail/jobId").asText()).isEqualTo(jobId);
                        })
                        .anySatisfy(e -> {
                            assertThat(e.at("/detail/deviceName").asText()).isEqualTo("dev-ok");
                            assertThat(e.at("/detail/status").asText()).isEqualTo("SUCCEEDED");
                        })
                        .anySatisfy(e -> {
                            assertThat(e.at("/detail/deviceName").asText()).isEqualTo("dev-bad");
                            assertThat(e.at("/detail/status").asText()).isEqualTo("FAILED");
                            assertThat(e.at("/detail/resultCode").asInt()).isEqualTo(-4);
                            assertThat(e.at("/detail/attempt").asInt()).isEqualTo(2);
                        });

                // The scheduler's plan: the job's progress, and its completion (both devices finished).
                stack.tick();
                stack.queues().drain();
                assertThat(metrics.max("JobPercentDone")).isEqualTo(100);
                assertThat(events(stack, "Job Completed"))
                        .singleElement()
                        .satisfies(
                                e -> assertThat(e.at("/detail/counts/SUCCEEDED").asLong())
                                        .isEqualTo(1));
            }
        }
    }

    private static SimulatedDevice device(LocalStack stack, String name) {
        return new SimulatedDevice(Registered.mqttUrl(stack, PRODUCT, name), PRODUCT, name, "ota").connect();
    }

    private static void report(LocalStack stack, Runnable publish) {
        int before = stack.router().invocations();
        publish.run();
        SharedStack.awaitRouted(stack, before, 1);
    }

    private static List<JsonNode> events(LocalStack stack, String type) {
        return stack.events().received().stream()
                .filter(e -> type.equals(e.path("detail-type").asText()))
                .toList();
    }
}
