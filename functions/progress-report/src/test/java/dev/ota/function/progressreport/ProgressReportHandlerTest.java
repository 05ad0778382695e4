package dev.ota.function.progressreport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.ProgressReportService;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.function.support.ReportIntake;
import dev.ota.log.StructuredLog;
import dev.ota.protocol.ProtocolJson;
import dev.ota.testing.InMemoryDeviceStateStore;
import dev.ota.testing.JsonLines;
import dev.ota.testing.SampleEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ProgressReportHandler on the repository's sample events, built from its wiring on an in-memory
 * device state store: the response it writes and what it did to the device's execution.
 */
class ProgressReportHandlerTest {

    private static final ObjectMapper JSON = ProtocolJson.newMapper();
    private static final DeviceId DEVICE = new DeviceId("DEMOPRODUCT", "device-001");
    private static final FirmwareRef TARGET = new FirmwareRef(
            "1.1.0", "firmware/DEMOPRODUCT/1.1.0/firmware.bin", 1_048_576, "5d41402abc4b2a76b9719d911017c592");
    /** The progress samples of one successful attempt, in the order a device sends them. */
    private static final List<String> IN_ORDER = List.of(
            "progress-downloading.json",
            "progress-downloading-numbers.json",
            "progress-burning.json",
            "progress-done.json");

    private static final List<String> ALL_SAMPLES = List.of(
            "progress-downloading.json",
            "progress-downloading-numbers.json",
            "progress-burning.json",
            "progress-done.json",
            "progress-fail.json");

    private final InMemoryDeviceStateStore store = new InMemoryDeviceStateStore();
    private final ByteArrayOutputStream logLines = new ByteArrayOutputStream();
    private final StructuredLog log =
            new StructuredLog(JSON, new PrintStream(logLines, true, UTF_8), "progress-report");
    private final ProgressReportHandler handler = new ProgressReportHandler(
            new ProgressReportWiring(JSON, new ReportIntake(JSON, log), new ProgressReportService(store, log)));

    private JsonNode handle(byte[] event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private JsonNode handle(String sample) throws IOException {
        return handle(SampleEvents.bytes(sample));
    }

    private List<JsonNode> logged() {
        return JsonLines.read(logLines);
    }

    private static Instant receivedAt(String sample) {
        return Instant.ofEpochMilli(SampleEvents.json(sample).path("receivedAt").asLong());
    }

    /** device-001 was sent 1.1.0 at {@code startedAt} (first attempt, default retry policy). */
    private Execution delivered(Instant startedAt) {
        Execution delivered = Execution.queued("job-1", TARGET, "1.0.0", RetryPolicy.DEFAULT, startedAt)
                .delivered(startedAt);
        store.put(new DeviceState(DEVICE, "1.0.0", startedAt.minusSeconds(60), delivered));
        return delivered;
    }

    /** An attempt that started before every progress sample, as after the report-version sample. */
    private Execution deliveredBeforeTheSamples() {
        return delivered(Instant.ofEpochMilli(
                SampleEvents.json("report-version.json").path("receivedAt").asLong()));
    }

    @Test
    void theSamplesInOrderWalkALiveUpdateToSucceeded() throws Exception {
        Execution delivered = deliveredBeforeTheSamples();
        Object[][] expected = {
            {ExecutionStatus.DOWNLOADING, 10},
            {ExecutionStatus.DOWNLOADING, 55},
            {ExecutionStatus.BURNING, 100},
            {ExecutionStatus.SUCCEEDED, 100}
        };

        for (int i = 0; i < IN_ORDER.size(); i++) {
            String sample = IN_ORDER.get(i);
            JsonNode response = handle(sample);

            assertThat(response.path("outcome").asText()).as(sample).isEqualTo("APPLIED");
            assertThat(response.has("reason")).as(sample).isFalse();
            Execution now = store.execution(DEVICE);
            assertThat(now.status()).as(sample).isEqualTo(expected[i][0]);
            assertThat(now.percent()).as(sample).isEqualTo(expected[i][1]);
            assertThat(now.updatedAt()).as(sample).isEqualTo(receivedAt(sample));
            assertThat(now.jobId()).isEqualTo(delivered.jobId());
            assertThat(now.attempt()).isEqualTo(1);
        }
        // DELIVERED -> DOWNLOADING is a transition; 10 -> 55 the one-write fast path.
        assertThat(store.writes()).containsExactly("transition", "advancePercent", "transition", "transition");
        assertThat(logged()).extracting(line -> line.path("event").asText()).containsOnly("progress_report");
    }

    @Test
    void theFailSampleLeavesARetryableFailureRetryPending() throws Exception {
        deliveredBeforeTheSamples();

        JsonNode response = handle("progress-fail.json");

        assertThat(response.path("outcome").asText()).isEqualTo("APPLIED");
        Execution failed = store.execution(DEVICE);
        assertThat(failed.status()).isEqualTo(ExecutionStatus.RETRY_PENDING);
        assertThat(failed.resultCode()).isEqualTo(-1);
        assertThat(failed.resultMsg()).isEqualTo("time_out");
        assertThat(failed.attempt()).isEqualTo(1);
        assertThat(store.writes()).containsExactly("transition");
    }

    @Test
    void theSamplesAreStaleForAnAttemptStartedAfterThem() throws Exception {
        // As after update-devices.json today: the samples' fixed receivedAt is older than the attempt.
        Execution delivered = delivered(receivedAt("progress-fail.json").plusSeconds(3600));
        DeviceState before = store.get(DEVICE);

        for (String sample : ALL_SAMPLES) {
            assertThat(handle(sample).path("outcome").asText()).as(sample).isEqualTo("IGNORED");
        }

        assertThat(store.get(DEVICE)).isEqualTo(before);
        assertThat(store.execution(DEVICE)).isEqualTo(delivered);
        assertThat(store.writes()).isEmpty();
    }

    @Test
    void theSamplesFromAnUnknownDeviceAreIgnoredAndCreateNothing() throws Exception {
        for (String sample : ALL_SAMPLES) {
            assertThat(handle(sample).path("outcome").asText()).as(sample).isEqualTo("IGNORED");
        }

        assertThat(store.all()).isEmpty();
        assertThat(store.writes()).isEmpty();
    }

    static Stream<String> badEvents() {
        return SampleEvents.badEventsFor("progress-report").keySet().stream();
    }

    @ParameterizedTest(name = "bad/{0}")
    @MethodSource("badEvents")
    void aBadEventIsRejectedWithItsReasonAndChangesNothing(String file) throws Exception {
        String reason = SampleEvents.badEventsFor("progress-report").get(file);
        // device-001 downloading at 30 %, as in BadEventsIT: "nothing changed" then means something.
        Execution delivered = deliveredBeforeTheSamples();
        store.put(new DeviceState(
                DEVICE,
                "1.0.0",
                delivered.attemptStartedAt(),
                delivered.withStatus(ExecutionStatus.DOWNLOADING, 30, delivered.attemptStartedAt())));
        Set<DeviceState> before = Set.copyOf(store.all());

        JsonNode response = handle(SampleEvents.bytes("bad/" + file));

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText()).contains(reason);
        assertThat(Set.copyOf(store.all())).isEqualTo(before);
        assertThat(store.writes()).isEmpty();
        assertThat(store.finds()).as("rejected before any read").isZero();
        assertThat(logged()).singleElement().satisfies(line -> {
            assertThat(line.path("level").asText()).isEqualTo("WARN");
            assertThat(line.path("event").asText()).isEqualTo("report_rejected");
            assertThat(line.path("reason").asText())
                    .isEqualTo(response.path("reason").asText());
        });
    }

    @Test
    void theVersionReportSampleIsNotForThisFunction() throws Exception {
        Execution delivered = deliveredBeforeTheSamples();

        JsonNode response = handle("report-version.json");

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText()).isEqualTo("type 'report_version' is not handled by this function");
        assertThat(store.execution(DEVICE)).isEqualTo(delivered);
        assertThat(store.writes()).isEmpty();
    }
}
