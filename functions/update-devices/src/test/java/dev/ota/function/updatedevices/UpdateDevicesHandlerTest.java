package dev.ota.function.updatedevices;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.UpdateDevicesService;
import dev.ota.app.UpdateSender;
import dev.ota.app.jobs.EngineTuning;
import dev.ota.app.jobs.JobEngine;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Firmware;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobStatus;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceChannel;
import dev.ota.port.out.DeviceListSource;
import dev.ota.port.out.RolloutStore.RowView;
import dev.ota.protocol.ProtocolJson;
import dev.ota.testing.CountingUrlMinter;
import dev.ota.testing.InMemoryDeviceDirectory;
import dev.ota.testing.InMemoryDeviceStateStore;
import dev.ota.testing.InMemoryFirmwareCatalog;
import dev.ota.testing.InMemoryJobRepository;
import dev.ota.testing.InMemoryRolloutStore;
import dev.ota.testing.JsonLines;
import dev.ota.testing.SampleEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * UpdateDevicesHandler on the repository's sample events, built from its wiring on in-memory ports:
 * the response it writes, the job it creates, the executions it assigns and the messages it sends.
 */
class UpdateDevicesHandlerTest {

    private static final ObjectMapper JSON = ProtocolJson.newMapper();
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String PRODUCT = "DEMOPRODUCT";
    private static final DeviceId DEVICE_1 = new DeviceId(PRODUCT, "device-001");
    private static final DeviceId DEVICE_2 = new DeviceId(PRODUCT, "device-002");
    private static final Firmware FIRMWARE = new Firmware(
            PRODUCT,
            "1.1.0",
            "firmware/DEMOPRODUCT/1.1.0/firmware.bin",
            1_048_576,
            "5d41402abc4b2a76b9719d911017c592",
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            "Demo firmware 1.1.0",
            NOW.minusSeconds(3600));

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
    }

    private final InMemoryDeviceStateStore store = new InMemoryDeviceStateStore();
    private final InMemoryJobRepository jobs = new InMemoryJobRepository();
    private final InMemoryRolloutStore rollout = new InMemoryRolloutStore(store, jobs);
    private final InMemoryFirmwareCatalog catalog = new InMemoryFirmwareCatalog();
    private final RecordingChannel channel = new RecordingChannel();
    private final CountingUrlMinter minter = new CountingUrlMinter();
    private final ByteArrayOutputStream logLines = new ByteArrayOutputStream();
    private final StructuredLog log = new StructuredLog(JSON, new PrintStream(logLines, true, UTF_8), "update-devices");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final JobEngine engine = new JobEngine(
            jobs,
            rollout,
            store,
            new InMemoryDeviceDirectory(store),
            DeviceListSource.NONE,
            new UpdateSender(minter, channel),
            messages -> {
                throw new AssertionError("update-devices queues no work: " + messages);
            },
            clock,
            EngineTuning.DEFAULTS,
            log);
    private final UpdateDevicesHandler handler = new UpdateDevicesHandler(new UpdateDevicesWiring(
            JSON, log, new UpdateDevicesService(catalog, jobs, engine, clock, log), new UpdateSender(minter, channel)));

    private JsonNode handle(byte[] event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private List<JsonNode> logged() {
        return JsonLines.read(logLines);
    }

    @Test
    void snapStartPrimingMintsAUrlButCreatesNoJobAndSendsNothing() throws Exception {
        catalog.save(FIRMWARE);
        store.put(new DeviceState(DEVICE_1, "1.0.0", NOW.minusSeconds(60), null));

        handler.beforeCheckpoint(null);

        assertThat(minter.minted()).containsExactly(dev.ota.app.Priming.FIRMWARE);
        assertThat(jobs.all()).isEmpty();
        assertThat(channel.sent).isEmpty();
        assertThat(store.find(DEVICE_1)).contains(new DeviceState(DEVICE_1, "1.0.0", NOW.minusSeconds(60), null));
    }

    @Test
    void theSampleCreatesAJobAndSendsEveryDeviceTheUpdate() throws Exception {
        catalog.save(FIRMWARE);
        store.put(new DeviceState(DEVICE_1, "1.0.0", NOW.minusSeconds(60), null));

        JsonNode response = handle(SampleEvents.bytes("update-devices.json"));

        assertThat(jobs.all()).singleElement().satisfies(job -> {
            assertThat(response.path("jobId").asText()).isEqualTo(job.jobId());
            assertThat(job.productId()).isEqualTo(PRODUCT);
            assertThat(job.firmware()).isEqualTo(FIRMWARE.ref());
            assertThat(job.state()).isEqualTo(JobStatus.IN_PROGRESS);
            assertThat(job.targetCount()).isEqualTo(2);
            assertThat(job.createdAt()).isEqualTo(NOW);
            // The sample's "retry" object, strictly read.
            assertThat(job.definition().retryPolicy())
                    .isEqualTo(new RetryPolicy(3, Set.of(-1, -3, -4, -5), Duration.ZERO));
        });
        String jobId = response.path("jobId").asText();
        assertThat(response.path("version").asText()).isEqualTo("1.1.0");
        assertThat(response.path("delivered")).extracting(JsonNode::asText).containsExactly("device-001", "device-002");
        assertThat(response.path("skipped").isObject()).isTrue();
        assertThat(response.path("skipped").size()).isZero();
        assertThat(response.has("outcome"))
                .as("a success is the result itself, not an outcome")
                .isFalse();

        for (DeviceId device : List.of(DEVICE_1, DEVICE_2)) {
            Execution e = store.execution(device);
            assertThat(e.jobId()).isEqualTo(jobId);
            assertThat(e.status()).isEqualTo(ExecutionStatus.DELIVERED);
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.firmware()).isEqualTo(FIRMWARE.ref());
            assertThat(e.attemptStartedAt()).isEqualTo(NOW);
        }
        assertThat(store.execution(DEVICE_1).fromVersion()).isEqualTo("1.0.0");
        assertThat(store.execution(DEVICE_2).fromVersion()).isNull();
        assertThat(store.get(DEVICE_1).currentVersion()).isEqualTo("1.0.0");
        // The job's rollout released both (the device store's own writes are the device protocol's).
        assertThat(rollout.rowsOf(jobId))
                .extracting(RowView::deviceName, RowView::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("device-001", ExecutionStatus.DELIVERED),
                        org.assertj.core.groups.Tuple.tuple("device-002", ExecutionStatus.DELIVERED));
        assertThat(store.writes()).isEmpty();
        assertThat(jobs.statusCounts(jobId)).containsExactly(Map.entry(ExecutionStatus.DELIVERED, 2L));

        assertThat(channel.sent).extracting(RecordingChannel.Sent::device).containsExactly(DEVICE_1, DEVICE_2);
        for (int i = 0; i < 2; i++) {
            JsonNode update = channel.sent.get(i).message();
            assertThat(update.path("type").asText()).isEqualTo("update_firmware");
            assertThat(update.path("version").asText()).isEqualTo("1.1.0");
            assertThat(update.path("md5sum").asText()).isEqualTo(FIRMWARE.md5sum());
            assertThat(update.path("file_size").asLong()).isEqualTo(FIRMWARE.fileSize());
            assertThat(update.path("url").asText())
                    .isEqualTo("https://firmware.example.com/" + FIRMWARE.s3Key() + "?sig=" + (i + 2));
        }
        // One URL minted at creation to check it fits the device profile, then one per device.
        assertThat(minter.count()).isEqualTo(3);
    }

    @Test
    void devicesBusyWithAnotherJobOrAlreadyOnTheVersionAreSkippedWithTheReason() throws Exception {
        catalog.save(FIRMWARE);
        Execution other = Execution.queued(
                        "other-job", FIRMWARE.ref(), "1.0.0", RetryPolicy.DEFAULT, NOW.minusSeconds(600))
                .delivered(NOW.minusSeconds(600));
        store.put(new DeviceState(DEVICE_1, "1.0.0", NOW.minusSeconds(600), other));
        store.put(new DeviceState(DEVICE_2, "1.1.0", NOW.minusSeconds(60), null));
        Set<DeviceState> before = Set.copyOf(store.all());

        JsonNode response = handle(SampleEvents.bytes("update-devices.json"));

        assertThat(response.path("delivered").size()).isZero();
        assertThat(response.path("skipped").path("device-001").asText()).isEqualTo("busy with job other-job");
        assertThat(response.path("skipped").path("device-002").asText()).isEqualTo("already on 1.1.0");
        assertThat(Set.copyOf(store.all())).isEqualTo(before);
        assertThat(store.writes()).isEmpty();
        assertThat(channel.sent).isEmpty();
        // Only the creation's budget check: no device was sent an update.
        assertThat(minter.count()).isEqualTo(1);
    }

    @Test
    void theSampleIsRejectedWhileItsVersionIsOnlyReservedByAnUpload() throws Exception {
        catalog.save(
                Firmware.reserved(PRODUCT, "1.1.0", FIRMWARE.s3Key(), FIRMWARE.fileSize(), FIRMWARE.md5sum(), "", NOW));

        JsonNode response = handle(SampleEvents.bytes("update-devices.json"));

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText())
                .isEqualTo("firmware 1.1.0 of product DEMOPRODUCT is not registered and available");
        assertThat(jobs.all()).isEmpty();
        assertThat(store.all()).isEmpty();
        assertThat(channel.sent).isEmpty();
    }

    static Stream<String> badEvents() {
        return SampleEvents.badEventsFor("update-devices").keySet().stream();
    }

    @ParameterizedTest(name = "bad/{0}")
    @MethodSource("badEvents")
    void aBadEventIsRejectedWithItsReasonAndChangesNothing(String file) throws Exception {
        String reason = SampleEvents.badEventsFor("update-devices").get(file);
        catalog.save(FIRMWARE);
        store.put(new DeviceState(DEVICE_1, "1.0.0", NOW.minusSeconds(60), null));
        Set<DeviceState> before = Set.copyOf(store.all());

        JsonNode response = handle(SampleEvents.bytes("bad/" + file));

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText()).contains(reason);
        assertThat(jobs.all()).isEmpty();
        assertThat(Set.copyOf(store.all())).isEqualTo(before);
        assertThat(store.writes()).isEmpty();
        assertThat(channel.sent).isEmpty();
        assertThat(minter.count()).isZero();
        assertThat(logged()).singleElement().satisfies(line -> {
            assertThat(line.path("level").asText()).isEqualTo("WARN");
            assertThat(line.path("event").asText()).isEqualTo("update_devices_rejected");
            assertThat(line.path("reason").asText())
                    .isEqualTo(response.path("reason").asText());
        });
    }

    @Test
    void malformedJsonIsRejected() throws Exception {
        catalog.save(FIRMWARE);

        JsonNode response = handle("{\"productId\":\"DEMOPRODUCT\",".getBytes(UTF_8));

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText()).startsWith("malformed JSON: ");
        assertThat(jobs.all()).isEmpty();
        assertThat(channel.sent).isEmpty();
    }
}
