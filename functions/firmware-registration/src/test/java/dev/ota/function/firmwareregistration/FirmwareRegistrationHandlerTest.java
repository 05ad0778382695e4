package dev.ota.function.firmwareregistration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.app.FirmwareRegistrationService;
import dev.ota.domain.Firmware;
import dev.ota.log.StructuredLog;
import dev.ota.protocol.ProtocolJson;
import dev.ota.testing.InMemoryFirmwareCatalog;
import dev.ota.testing.InMemoryFirmwareObjects;
import dev.ota.testing.JsonLines;
import dev.ota.testing.SampleEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FirmwareRegistrationHandler on the repository's sample events (the direct request and the S3
 * notification), built from its wiring on an in-memory catalogue and bucket: the response it writes
 * and the record it keeps.
 */
class FirmwareRegistrationHandlerTest {

    private static final ObjectMapper JSON = ProtocolJson.newMapper();
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String PRODUCT = "DEMOPRODUCT";
    private static final String VERSION = "1.1.0";
    private static final String KEY = "firmware/DEMOPRODUCT/1.1.0/firmware.bin";
    /** The object the samples name, as big as s3-object-created.json says it is. */
    private static final byte[] BYTES = bytes(SampleEvents.json("s3-object-created.json")
            .path("Records")
            .get(0)
            .path("s3")
            .path("object")
            .path("size")
            .asInt());

    private static final String MD5 = hex("MD5", BYTES);
    private static final String SHA256 = hex("SHA-256", BYTES);

    private final InMemoryFirmwareCatalog catalog = new InMemoryFirmwareCatalog();
    private final InMemoryFirmwareObjects objects = new InMemoryFirmwareObjects();
    private final ByteArrayOutputStream logLines = new ByteArrayOutputStream();
    private final StructuredLog log =
            new StructuredLog(JSON, new PrintStream(logLines, true, UTF_8), "firmware-registration");
    private final FirmwareRegistrationHandler handler = new FirmwareRegistrationHandler(new FirmwareRegistrationWiring(
            JSON, log, new FirmwareRegistrationService(catalog, objects, Clock.fixed(NOW, ZoneOffset.UTC), log)));

    private static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        new Random(99).nextBytes(bytes);
        return bytes;
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode handle(byte[] event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private List<JsonNode> logged() {
        return JsonLines.read(logLines);
    }

    private static void assertRegistered(JsonNode response) {
        assertThat(response.path("outcome").asText()).as(response.toString()).isEqualTo("REGISTERED");
        assertThat(response.has("reason")).isFalse();
        assertThat(response.path("firmware")).singleElement().satisfies(fw -> {
            assertThat(fw.path("productId").asText()).isEqualTo(PRODUCT);
            assertThat(fw.path("version").asText()).isEqualTo(VERSION);
            assertThat(fw.path("status").asText()).isEqualTo("AVAILABLE");
            assertThat(fw.path("s3Key").asText()).isEqualTo(KEY);
            assertThat(fw.path("fileSize").asLong()).isEqualTo(BYTES.length);
            assertThat(fw.path("md5sum").asText()).isEqualTo(MD5);
            assertThat(fw.path("sha256").asText()).isEqualTo(SHA256);
            assertThat(fw.has("rejectionReason")).isFalse();
        });
    }

    @Test
    void theDirectRequestSampleRegistersTheObjectFromItsOwnBytes() throws Exception {
        objects.put(KEY, BYTES);

        JsonNode response = handle(SampleEvents.bytes("register-firmware.json"));

        assertRegistered(response);
        Firmware record = catalog.find(PRODUCT, VERSION).orElseThrow();
        assertThat(record.status()).isEqualTo(Firmware.Status.AVAILABLE);
        assertThat(record.md5sum()).isEqualTo(MD5);
        assertThat(record.fileSize()).isEqualTo(BYTES.length);
        assertThat(record.description()).isEqualTo("Demo firmware 1.1.0");
        assertThat(record.registeredAt()).isEqualTo(NOW);
        assertThat(catalog.saves()).containsExactly(record);
        assertThat(objects.published()).containsExactly(KEY + "#" + MD5);
        assertThat(objects.opened()).isEqualTo(1);
        assertThat(objects.closed()).isEqualTo(1);
    }

    @Test
    void theS3NotificationSampleRegistersTheObjectItNames() throws Exception {
        objects.put(KEY, BYTES);

        JsonNode response = handle(SampleEvents.bytes("s3-object-created.json"));

        assertRegistered(response);
        Firmware record = catalog.find(PRODUCT, VERSION).orElseThrow();
        assertThat(record.s3Key()).isEqualTo(KEY);
        assertThat(record.description()).isEmpty();
        assertThat(objects.published()).containsExactly(KEY + "#" + MD5);
    }

    @Test
    void theSameObjectNotifiedAfterItsRegistrationKeepsItsRecord() throws Exception {
        objects.put(KEY, BYTES);
        assertRegistered(handle(SampleEvents.bytes("register-firmware.json")));
        Firmware registered = catalog.find(PRODUCT, VERSION).orElseThrow();

        JsonNode response = handle(SampleEvents.bytes("s3-object-created.json"));

        assertRegistered(response);
        assertThat(catalog.find(PRODUCT, VERSION)).contains(registered);
        assertThat(catalog.saves()).hasSize(1);
        assertThat(objects.published()).hasSize(1);
    }

    @Test
    void anUploadReservedWithTheRightDigestAndSizeSettlesAvailable() throws Exception {
        objects.put(KEY, BYTES);
        catalog.insert(
                Firmware.reserved(PRODUCT, VERSION, KEY, BYTES.length, MD5, "from the API", NOW.minusSeconds(60)),
                null);

        JsonNode response = handle(SampleEvents.bytes("s3-object-created.json"));

        assertRegistered(response);
        Firmware record = catalog.find(PRODUCT, VERSION).orElseThrow();
        assertThat(record.status()).isEqualTo(Firmware.Status.AVAILABLE);
        assertThat(record.sha256()).isEqualTo(SHA256);
        assertThat(record.description()).isEqualTo("from the API");
        assertThat(record.createdAt()).isEqualTo(NOW.minusSeconds(60));
    }

    @Test
    void anUploadWhoseBytesDoNotMatchTheDeclaredSizeIsRecordedRejected() throws Exception {
        objects.put(KEY, BYTES);
        catalog.insert(
                Firmware.reserved(PRODUCT, VERSION, KEY, BYTES.length + 1L, MD5, "", NOW.minusSeconds(60)), null);

        JsonNode response = handle(SampleEvents.bytes("s3-object-created.json"));

        String problem =
                "declared size " + (BYTES.length + 1L) + " bytes does not match the uploaded object's " + BYTES.length;
        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText()).isEqualTo(PRODUCT + " " + VERSION + ": " + problem);
        assertThat(response.path("firmware")).singleElement().satisfies(fw -> {
            assertThat(fw.path("status").asText()).isEqualTo("REJECTED");
            assertThat(fw.path("rejectionReason").asText()).isEqualTo(problem);
        });
        Firmware record = catalog.find(PRODUCT, VERSION).orElseThrow();
        assertThat(record.status()).isEqualTo(Firmware.Status.REJECTED);
        assertThat(record.rejectionReason()).isEqualTo(problem);
        assertThat(objects.published()).isEmpty();
    }

    static Stream<String> badEvents() {
        return SampleEvents.badEventsFor("firmware-registration").keySet().stream();
    }

    @ParameterizedTest(name = "bad/{0}")
    @MethodSource("badEvents")
    void aBadEventIsRejectedWithItsReasonAndChangesNothing(String file) throws Exception {
        String reason = SampleEvents.badEventsFor("firmware-registration").get(file);
        // The object the bad event names, registered for real (as in BadEventsIT): the event only lies about it.
        objects.put(KEY, BYTES);
        assertRegistered(handle(SampleEvents.bytes("register-firmware.json")));
        Firmware registered = catalog.find(PRODUCT, VERSION).orElseThrow();
        catalog.saves().clear();
        objects.published().clear();
        logLines.reset();

        JsonNode response = handle(SampleEvents.bytes("bad/" + file));

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText()).contains(reason);
        assertThat(response.has("firmware")).isFalse();
        assertThat(catalog.find(PRODUCT, VERSION)).contains(registered);
        assertThat(catalog.saves()).isEmpty();
        assertThat(objects.published()).isEmpty();
        assertThat(objects.closed()).isEqualTo(objects.opened());
        assertThat(logged()).anySatisfy(line -> {
            assertThat(line.path("level").asText()).isEqualTo("WARN");
            assertThat(line.path("event").asText()).isEqualTo("firmware_registration_rejected");
            assertThat(line.path("reason").asText())
                    .isEqualTo(response.path("reason").asText());
        });
    }

    @Test
    void aNotificationForAnObjectOutsideFirmwareIsRejectedUnread() throws Exception {
        ObjectNode event = (ObjectNode) SampleEvents.json("s3-object-created.json");
        ((ObjectNode) event.path("Records").get(0).path("s3").path("object")).put("key", "uploads/firmware.bin");
        objects.put("uploads/firmware.bin", BYTES);

        JsonNode response = handle(JSON.writeValueAsBytes(event));

        assertThat(response.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(response.path("reason").asText())
                .isEqualTo("key 'uploads/firmware.bin' is not firmware/{productId}/{version}/{file}");
        assertThat(catalog.saves()).isEmpty();
        assertThat(objects.opened()).isZero();
    }
}
