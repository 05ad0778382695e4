package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Every bad event in events/bad is rejected by its function with the reason events/bad/expected.json
 * names, and changes nothing: not a table item, not a counter, no message to a device. Malformed
 * payloads published over MQTT change nothing either and leave no dead letters.
 *
 * <p>The bad events name DEMOPRODUCT/device-001, as the good samples do, so this test runs on a
 * stack of its own, seeded with DEMOPRODUCT 1.1.0 and device-001 downloading it: "nothing
 * changed" then means something.
 */
class BadEventsIT {

    private static final Path BAD = SharedStack.repo().resolve("events/bad");
    private static final String EXPECTATIONS = "expected.json";
    private static final Map<String, String> FUNCTIONS = Map.of(
            "version-report", "VersionReportFunction",
            "progress-report", "ProgressReportFunction",
            "update-devices", "UpdateDevicesFunction",
            "firmware-registration", "FirmwareRegistrationFunction");
    /** AWS calls that change something; a rejected event must make none of them. */
    private static final Set<String> WRITES = Set.of(
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "TransactWriteItems",
            "BatchWriteItem",
            "Publish",
            "PutObject",
            "DeleteObject",
            "CopyObject");

    private static final String PRODUCT = "DEMOPRODUCT";
    private static final String DEVICE = "device-001";

    private static LocalStack stack;
    private static JsonNode expectations;

    @BeforeAll
    static void seed() throws Exception {
        expectations = SharedStack.JSON.readTree(BAD.resolve(EXPECTATIONS).toFile());
        stack = LocalStack.start();
        // The object register-firmware-bad-md5.json names, registered for real: the bad event only lies about its md5.
        JsonNode registered =
                SharedStack.uploadAndRegister(stack, PRODUCT, "1.1.0", SharedStack.firmwareBytes(10_000, 5));
        assertThat(registered.path("outcome").asText()).isEqualTo("REGISTERED");
        // No live update yet: recorded, answered, nothing else to do.
        invokeExpecting(
                "IGNORED",
                "VersionReportFunction",
                Files.readString(SharedStack.repo().resolve("events/report-version.json")));
        JsonNode update = SharedStack.invoke(
                stack,
                "UpdateDevicesFunction",
                "{\"productId\":\"" + PRODUCT + "\",\"version\":\"1.1.0\",\"deviceNames\":[\"" + DEVICE + "\"]}");
        assertThat(update.path("delivered")).extracting(JsonNode::asText).containsExactly(DEVICE);
        invokeExpecting(
                "APPLIED",
                "ProgressReportFunction",
                "{\"type\":\"report_progress\",\"report\":{\"progress\":{\"state\":\"downloading\",\"percent\":\"30\"},"
                        + "\"version\":\"1.1.0\"},\"productId\":\"" + PRODUCT + "\",\"deviceName\":\"" + DEVICE
                        + "\",\"clientId\":\""
                        + dev.ota.domain.device.ThingName.of(PRODUCT, DEVICE).value() + "\",\"receivedAt\":"
                        + System.currentTimeMillis() + "}");
        Map<String, AttributeValue> device = OtaTables.device(stack, PRODUCT, DEVICE);
        assertThat(OtaTables.s(device, "execStatus")).isEqualTo("DOWNLOADING");
        assertThat(OtaTables.n(device, "execPercent")).isEqualTo(30);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static void invokeExpecting(String outcome, String function, String event) throws Exception {
        assertThat(SharedStack.invoke(stack, function, event).path("outcome").asText())
                .isEqualTo(outcome);
    }

    static Stream<String> badEvents() throws IOException {
        try (Stream<Path> files = Files.list(BAD)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json") && !n.equals(EXPECTATIONS))
                    .sorted()
                    .toList();
            return names.stream();
        }
    }

    @Test
    void everyExpectationNamesAnExistingFileAndAKnownFunction() throws IOException {
        List<String> files = badEvents().toList();
        assertThat(files).hasSizeGreaterThanOrEqualTo(10);
        List<String> listed = new ArrayList<>();
        expectations.fieldNames().forEachRemaining(name -> {
            if (!name.startsWith("_")) {
                listed.add(name);
            }
        });
        assertThat(listed).as("expected.json lists exactly the bad events").containsExactlyInAnyOrderElementsOf(files);
        for (String name : listed) {
            assertThat(FUNCTIONS)
                    .as(name)
                    .containsKey(expectations.path(name).path("function").asText());
            assertThat(expectations.path(name).path("reason").asText()).as(name).isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEvents")
    void badEventIsRejectedWithItsReasonAndChangesNothing(String file) throws Exception {
        JsonNode expected = expectations.get(file);
        if (expected == null) {
            fail("events/bad/" + file + " has no entry in events/bad/" + EXPECTATIONS);
        }
        String function = FUNCTIONS.get(expected.path("function").asText());
        assertThat(function).as("function of " + file).isNotNull();
        byte[] event = Files.readAllBytes(BAD.resolve(file));

        assertThat(stack.router().awaitIdle(10_000)).isTrue();
        var before = OtaTables.scanAll(stack);
        stack.calls().reset();
        JsonNode response = SharedStack.JSON.readTree(stack.invoke(function, event));
        Map<String, Long> calls = stack.calls().snapshot();

        assertThat(response.path("outcome").asText()).as(response.toString()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText())
                .contains(expected.path("reason").asText());
        assertThat(calls.keySet())
                .as("AWS calls of a rejected event")
                .noneMatch(call -> WRITES.contains(call.substring(call.indexOf('.') + 1)));
        assertThat(OtaTables.scanAll(stack)).isEqualTo(before);
    }

    @Test
    void malformedPayloadsOverMqttChangeNothingAndLeaveNoDeadLetters() throws Exception {
        List<String> routedToAFunction = List.of(
                "{\"type\":\"report_reboot\",\"report\":{\"version\":\"1.0.0\"}}",
                "{\"type\":\"report_progress\",\"report\":{\"progress\":{\"state\":\"rebooting\"},\"version\":\"1.1.0\"}}",
                "{\"type\":\"report_version\",\"report\":{\"version\":100}}",
                "{\"type\":\"report_version\",\"report\":{\"version\":\"1.1.0\"},\"deviceName\":\"device-002\"}");
        List<String> matchingNoRule = List.of(
                "this is not JSON",
                "{\"type\":\"report_progress\",\"report\":",
                "[\"report_version\"]",
                "{\"report\":{\"version\":\"1.1.0\"}}");

        try (SimulatedDevice device = new SimulatedDevice(
                        dev.ota.local.device.Registered.mqttUrl(stack, PRODUCT, DEVICE), PRODUCT, DEVICE, "$ota")
                .connect()) {
            assertThat(stack.router().awaitIdle(10_000)).isTrue();
            var before = OtaTables.scanAll(stack);
            int invocations = stack.router().invocations();

            for (String payload : matchingNoRule) {
                device.publishRaw(payload.getBytes(StandardCharsets.UTF_8));
            }
            for (String payload : routedToAFunction) {
                device.publishRaw(payload.getBytes(StandardCharsets.UTF_8));
            }
            SharedStack.awaitRouted(stack, invocations, routedToAFunction.size());
            Thread.sleep(500);
            assertThat(stack.router().awaitIdle(10_000)).isTrue();

            assertThat(stack.router().invocations() - invocations)
                    .as("only the JSON payloads with a type reach a function")
                    .isEqualTo(routedToAFunction.size());
            assertThat(stack.router().deadLetters()).isEmpty();
            assertThat(OtaTables.scanAll(stack)).isEqualTo(before);
            assertThat(device.await("report_version_rsp", Duration.ofMillis(500)))
                    .as("no answer to a rejected report")
                    .isNull();
            assertThat(device.drain()).isEmpty();
        }
    }
}
