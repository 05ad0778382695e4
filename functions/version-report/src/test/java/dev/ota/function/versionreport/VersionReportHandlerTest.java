package dev.ota.function.versionreport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.UpdateSender;
import dev.ota.app.VersionReportService;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.function.support.ReportIntake;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceChannel;
import dev.ota.protocol.ProtocolJson;
import dev.ota.testing.CountingUrlMinter;
import dev.ota.testing.InMemoryDeviceStateStore;
import dev.ota.testing.JsonLines;
import dev.ota.testing.SampleEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * VersionReportHandler on the repository's sample events, built from its wiring on in-memory ports:
 * the response it writes and what it did to the device state and the device's topic.
 */
class VersionReportHandlerTest {

    private static final ObjectMapper JSON = ProtocolJson.newMapper();
    private static final DeviceId DEVICE = new DeviceId("DEMOPRODUCT", "device-001");
    private static final JsonNode SAMPLE = SampleEvents.json("report-version.json");
    private static final Instant REPORTED_AT =
            Instant.ofEpochMilli(SAMPLE.path("receivedAt").asLong());
    private static final FirmwareRef TARGET = new FirmwareRef(
            "1.1.0", "firmware/DEMOPRODUCT/1.1.0/firmware.bin", 1_048_576, "5d41402abc4b2a76b9719d911017c592");

    /** Every message sent to a device, as the JSON the device receives. */
    static final class RecordingChannel implements DeviceChannel {
        record Sent(DeviceId device, JsonNode message) {}

        final List<Sent> sent = new ArrayList<>();

        @Override
        public void send(DeviceId device, Object message) {
            try {
                sent.add(new Sent(device, JSON.readTree(ProtocolJson.toBytes(JSON, message))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        List<String> types() {
            return sent.stream().map(s -> s.message().path("type").asText()).toList();
        }
    }

    private final InMemoryDeviceStateStore store = new InMemoryDeviceStateStore();
    private final RecordingChannel channel = new RecordingChannel();
    private final CountingUrlMinter minter = new CountingUrlMinter();
    private final ByteArrayOutputStream logLines = new ByteArrayOutputStream();
    private final StructuredLog log = new StructuredLog(JSON, new PrintStream(logLines, true, UTF_8), "version-report");
    private final VersionReportHandler handler = new VersionReportHandler(new VersionReportWiring(
            JSON,
            new ReportIntake(JSON, log),
            new VersionReportService(store, channel, new UpdateSender(minter, channel), log)));

    private JsonNode handle(byte[] event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private List<JsonNode> logged() {
        return JsonLines.read(logLines);
    }

    /** device-001 was sent 1.1.0 before the sample's report: a live update. */
    private Execution updating() {
        Instant started = REPORTED_AT.minusSeconds(60);
        Execution delivered = Execution.queued("job-1", TARGET, "1.0.0", RetryPolicy.DEFAULT, started)
                .delivered(started);
        store.put(new DeviceState(DEVICE, "1.0.0", started.minusSeconds(60), delivered));
        return delivered;
    }

    @Test
    void theSampleFromAnUnknownDeviceIsRecordedAndAnswered() throws Exception {
        JsonNode response = handle(SampleEvents.bytes("report-version.json"));

        assertThat(response.path("outcome").asText()).isEqualTo("IGNORED");
        assertThat(response.has("reason")).isFalse();
        DeviceState state = store.get(DEVICE);
        assertThat(state.currentVersion()).isEqualTo("1.0.0");
        assertThat(state.lastSeenAt()).isEqualTo(REPORTED_AT);
        assertThat(state.execution()).isNull();
        assertThat(store.writes()).containsExactly("recordVersion");
        assertThat(channel.sent).singleElement().satisfies(sent -> {
            assertThat(sent.device()).isEqualTo(DEVICE);
            assertThat(sent.message().toString())
                    .isEqualTo(
                            "{\"type\":\"report_version_rsp\",\"result_code\":0,\"result_msg\":\"success\",\"version\":\"1.0.0\"}");
        });
        assertThat(minter.count()).isZero();
    }

    @Test
    void theSampleDuringAnUpdateIsAnsweredAndGetsTheUpdateAgainWithAFreshUrl() throws Exception {
        Execution delivered = updating();

        JsonNode response = handle(SampleEvents.bytes("report-version.json"));

        assertThat(response.path("outcome").asText()).isEqualTo("APPLIED");
        assertThat(channel.types()).containsExactly("report_version_rsp", "update_firmware");
        assertThat(channel.sent).allSatisfy(sent -> assertThat(sent.device()).isEqualTo(DEVICE));
        JsonNode update = channel.sent.get(1).message();
        assertThat(update.path("version").asText()).isEqualTo(TARGET.version());
        assertThat(update.path("md5sum").asText()).isEqualTo(TARGET.md5sum());
        assertThat(update.path("file_size").isNumber()).isTrue();
        assertThat(update.path("file_size").asLong()).isEqualTo(TARGET.fileSize());
        assertThat(minter.minted()).containsExactly(TARGET);
        assertThat(update.path("url").asText()).isEqualTo("https://firmware.example.com/" + TARGET.s3Key() + "?sig=1");
        // Checkpoint restart: the same attempt, untouched; the version report is recorded, kept in the
        // execution's history (a late fail before it would make it the next attempt's start), and the
        // send claimed in the delivery's send record (flood control).
        assertThat(store.execution(DEVICE)
                        .withHistory(java.util.List.of())
                        .withSends(delivered.resends(), delivered.sentAt()))
                .isEqualTo(delivered);
        assertThat(store.execution(DEVICE).sentAt()).isEqualTo(REPORTED_AT);
        assertThat(store.get(DEVICE).lastSeenAt()).isEqualTo(REPORTED_AT);
        assertThat(store.writes()).containsExactly("recordVersion", "transition", "claimUpdate");
    }

    @Test
    void theSampleOlderThanTheLastReportIsStaleAndChangesNothing() throws Exception {
        DeviceState newer = new DeviceState(DEVICE, "1.1.0", REPORTED_AT.plusSeconds(1), null);
        store.put(newer);

        JsonNode response = handle(SampleEvents.bytes("report-version.json"));

        assertThat(response.path("outcome").asText()).isEqualTo("IGNORED");
        assertThat(store.get(DEVICE)).isEqualTo(newer);
        assertThat(store.writes()).isEmpty();
        // Answered all the same: the SDK waits for the response.
        assertThat(channel.types()).containsExactly("report_version_rsp");
    }

    static Stream<String> badEvents() {
        return SampleEvents.badEventsFor("version-report").keySet().stream();
    }

    @ParameterizedTest(name = "bad/{0}")
    @MethodSource("badEvents")
    void aBadEventIsRejectedWithItsReasonAndChangesNothing(String file) throws Exception {
        String reason = SampleEvents.badEventsFor("version-report").get(file);
        updating();
        Set<DeviceState> before = Set.copyOf(store.all());

        JsonNode response = handle(SampleEvents.bytes("bad/" + file));

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText()).contains(reason);
        assertThat(Set.copyOf(store.all())).isEqualTo(before);
        assertThat(store.writes()).isEmpty();
        assertThat(channel.sent).isEmpty();
        assertThat(minter.count()).isZero();
        assertThat(logged()).singleElement().satisfies(line -> {
            assertThat(line.path("level").asText()).isEqualTo("WARN");
            assertThat(line.path("event").asText()).isEqualTo("report_rejected");
            assertThat(line.path("reason").asText())
                    .isEqualTo(response.path("reason").asText());
        });
    }

    @Test
    void aProgressSampleIsNotForThisFunction() throws Exception {
        Execution delivered = updating();

        JsonNode response = handle(SampleEvents.bytes("progress-downloading.json"));

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText())
                .isEqualTo("type 'report_progress' is not handled by this function");
        assertThat(store.execution(DEVICE)).isEqualTo(delivered);
        assertThat(store.writes()).isEmpty();
        assertThat(channel.sent).isEmpty();
    }
}
