package dev.ota.it;

import static dev.ota.it.OtaTables.n;
import static dev.ota.it.OtaTables.s;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.domain.RetryPolicy;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Each fail code through real MQTT. With the default retry policy (3 attempts; -2 is permanent) a
 * failure leaves the execution RETRY_PENDING with the code and message recorded, the next version
 * report starts the next attempt with a new update_firmware, and once the attempts are used up the
 * device gets only report_version_rsp: a device that re-reports after every failure cannot loop.
 */
class FailureCodesIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Long enough for a wrongly sent update_firmware to arrive; asserting its absence, not a speed. */
    private static final Duration NOTHING_MORE = Duration.ofMillis(1_500);

    private static final String PRODUCT = "FAILCODESPRODUCT";
    private static final String TARGET = "3.0.0";
    private static final String OLD = "2.9.0";

    private final LocalStack stack = SharedStack.get();

    @BeforeAll
    static void registerFirmware() throws Exception {
        JsonNode registered =
                SharedStack.uploadAndRegister(SharedStack.get(), PRODUCT, TARGET, SharedStack.firmwareBytes(4_096, 3));
        assertThat(registered.path("outcome").asText()).isEqualTo("REGISTERED");
    }

    @ParameterizedTest(name = "result_code {0}")
    @ValueSource(ints = {-1, -2, -3, -4, -5})
    void defaultPolicyRetriesUntilAttemptsAreUsedUp(int code) throws Exception {
        boolean retryable = code != -2;
        int attempts = retryable ? 3 : 1;
        String name = "dev-code" + (-code);
        try (SimulatedDevice device = new SimulatedDevice(
                        dev.ota.local.device.Registered.mqttUrl(stack, PRODUCT, name), PRODUCT, name, "ota")
                .connect()) {
            String jobId = startUpdate(device, null);
            for (int attempt = 1; attempt <= attempts; attempt++) {
                String msg = "failure " + attempt + " of code " + code;
                failAttempt(device, code, msg);

                boolean last = attempt == attempts;
                Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, name);
                assertThat(s(row, "status")).isEqualTo(last ? "FAILED" : "RETRY_PENDING");
                assertThat(n(row, "attempt")).isEqualTo(attempt);
                assertThat(n(row, "resultCode")).isEqualTo(code);
                assertThat(s(row, "resultMsg")).isEqualTo(msg);
                assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of(last ? "FAILED" : "RETRY_PENDING", 1L));

                if (!last) {
                    // The device re-reports its old version: the next attempt starts with a new update_firmware.
                    JsonNode update = reportVersionAndAwaitUpdate(device);
                    assertThat(update)
                            .as("update_firmware for attempt " + (attempt + 1))
                            .isNotNull();
                    assertThat(update.path("version").asText()).isEqualTo(TARGET);
                    stack.router().awaitIdle(10_000);
                    Map<String, AttributeValue> next = OtaTables.execution(stack, jobId, name);
                    assertThat(s(next, "status")).isEqualTo("DELIVERED");
                    assertThat(n(next, "attempt")).isEqualTo(attempt + 1);
                    assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of("DELIVERED", 1L));
                }
            }
            assertNoMoreUpdates(device, jobId, attempts, code);
        }
    }

    @Test
    void customPolicyWithOneAttemptFailsAtTheFirstRetryableFailure() throws Exception {
        String name = "dev-one-attempt";
        try (SimulatedDevice device = new SimulatedDevice(
                        dev.ota.local.device.Registered.mqttUrl(stack, PRODUCT, name), PRODUCT, name, "ota")
                .connect()) {
            String jobId = startUpdate(device, "{\"maxAttempts\":1}");
            failAttempt(device, -1, "time_out");
            Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, name);
            assertThat(s(row, "status")).isEqualTo("FAILED");
            assertThat(n(row, "attempt")).isEqualTo(1);
            assertThat(n(row, "resultCode")).isEqualTo(-1);
            assertThat(s(row, "resultMsg")).isEqualTo("time_out");
            assertNoMoreUpdates(device, jobId, 1, -1);
        }
    }

    @Test
    void customRetryableCodesDecideWhichFailuresAreRetried() throws Exception {
        String name = "dev-only-md5";
        try (SimulatedDevice device = new SimulatedDevice(
                        dev.ota.local.device.Registered.mqttUrl(stack, PRODUCT, name), PRODUCT, name, "ota")
                .connect()) {
            String jobId = startUpdate(device, "{\"maxAttempts\":2,\"retryableCodes\":[-4]}");
            failAttempt(device, -4, "md5 mismatch");
            assertThat(s(OtaTables.execution(stack, jobId, name), "status")).isEqualTo("RETRY_PENDING");
            assertThat(reportVersionAndAwaitUpdate(device)).isNotNull();
            stack.router().awaitIdle(10_000);
            // -1 is retryable by default, but not under this job's policy.
            failAttempt(device, -1, "time_out");
            Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, name);
            assertThat(s(row, "status")).isEqualTo("FAILED");
            assertThat(n(row, "attempt")).isEqualTo(2);
            assertThat(n(row, "resultCode")).isEqualTo(-1);
            assertNoMoreUpdates(device, jobId, 2, -1);
        }
    }

    /** The device reports its old version; the operator updates it; it receives update_firmware (attempt 1). */
    private String startUpdate(SimulatedDevice device, String retry) throws Exception {
        device.reportVersion(OLD);
        assertThat(device.await("report_version_rsp", WAIT)).isNotNull();
        JsonNode result = SharedStack.invoke(
                stack,
                "UpdateDevicesFunction",
                "{\"productId\":\"" + PRODUCT + "\",\"version\":\"" + TARGET + "\",\"deviceNames\":[\""
                        + device.deviceName() + "\"]" + (retry == null ? "" : ",\"retry\":" + retry) + "}");
        assertThat(result.path("delivered")).extracting(JsonNode::asText).containsExactly(device.deviceName());
        assertThat(device.await("update_firmware", WAIT)).isNotNull();
        return result.path("jobId").asText();
    }

    /**
     * Downloading without progress, then fail with {@code code}; waits until both reports are
     * applied. (A -1 or -5 after progress is a resume, which uses no attempt: CSdkDeviceIT.)
     */
    private void failAttempt(SimulatedDevice device, int code, String msg) {
        int before = stack.router().invocations();
        device.reportDownloading(TARGET, 0);
        SharedStack.awaitRouted(stack, before, 1);
        before = stack.router().invocations();
        device.reportFail(TARGET, code, msg);
        SharedStack.awaitRouted(stack, before, 1);
        if (code == RetryPolicy.FORBIDDEN) {
            // the attempt after a -3 starts no earlier than this (the C SDK re-reports after ~2 s)
            sleep(RetryPolicy.FORBIDDEN_SETTLE.plusMillis(200));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode reportVersionAndAwaitUpdate(SimulatedDevice device) {
        device.drain();
        device.reportVersion(OLD);
        JsonNode rsp = device.await("report_version_rsp", WAIT);
        assertThat(rsp).isNotNull();
        assertThat(rsp.path("version").asText()).isEqualTo(OLD);
        return device.await("update_firmware", WAIT);
    }

    /** Every further version report gets its answer and nothing else; the execution stays FAILED. */
    private void assertNoMoreUpdates(SimulatedDevice device, String jobId, int attempts, int code) {
        device.drain();
        device.reportVersion(OLD);
        JsonNode rsp = device.await("report_version_rsp", WAIT);
        assertThat(rsp).isNotNull();
        assertThat(rsp.path("result_code").asInt()).isZero();
        assertThat(device.await("update_firmware", NOTHING_MORE))
                .as("update_firmware after the update failed")
                .isNull();
        stack.router().awaitIdle(10_000);
        Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, device.deviceName());
        assertThat(s(row, "status")).isEqualTo("FAILED");
        assertThat(n(row, "attempt")).isEqualTo(attempts);
        assertThat(n(row, "resultCode")).isEqualTo(code);
        Map<String, AttributeValue> item = OtaTables.device(stack, PRODUCT, device.deviceName());
        assertThat(s(item, "execStatus")).isEqualTo("FAILED");
        assertThat(s(item, "currentVersion")).isEqualTo(OLD);
        assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of("FAILED", 1L));
        assertThat(stack.router().deadLetters()).isEmpty();
    }
}
