package dev.ota.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.app.FirmwareRegistrationService.Registration;
import dev.ota.domain.Firmware;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.InvalidMessageException;
import dev.ota.testing.InMemoryFirmwareCatalog;
import dev.ota.testing.InMemoryFirmwareObjects;
import dev.ota.testing.TestLog;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FirmwareRegistrationServiceTest {

    private static final String KEY = "firmware/p1/1.2.0/fw.bin";
    private static final String HELLO_MD5 = "5d41402abc4b2a76b9719d911017c592";
    private static final String HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    private static final Instant NOW = Instant.parse("2026-02-02T10:00:00Z");

    private final InMemoryFirmwareCatalog catalog = new InMemoryFirmwareCatalog();
    private final InMemoryFirmwareObjects objects = new InMemoryFirmwareObjects();
    private final TestLog log = new TestLog("firmware-registration");
    private final FirmwareRegistrationService service =
            new FirmwareRegistrationService(catalog, objects, Clock.fixed(NOW, ZoneOffset.UTC), log.log());

    FirmwareRegistrationServiceTest() {
        objects.put(KEY, "hello".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void computesSizeAndDigestsFromTheBytes() {
        Firmware fw = service.register(new Registration("p1", "1.2.0", KEY, null, "first"));

        assertThat(fw).isEqualTo(new Firmware("p1", "1.2.0", KEY, 5, HELLO_MD5, HELLO_SHA256, "first", NOW));
        assertThat(catalog.saves()).containsExactly(fw);
        assertThat(catalog.find("p1", "1.2.0")).contains(fw);
        assertThat(fw.ref()).isEqualTo(new FirmwareRef("1.2.0", KEY, 5, HELLO_MD5));
        assertThat(objects.closed()).isEqualTo(objects.opened()).isEqualTo(1);
        assertThat(objects.published()).containsExactly(KEY + "#" + HELLO_MD5);
        assertThat(log.lines())
                .singleElement()
                .asString()
                .contains("\"event\":\"firmware_registered\"")
                .contains("\"md5sum\":\"" + HELLO_MD5 + "\"");
    }

    @Test
    void emptyObject() {
        objects.put("firmware/p1/0.0.1/empty.bin", new byte[0]);

        Firmware fw = service.register(Registration.fromKey("firmware/p1/0.0.1/empty.bin"));

        assertThat(fw.fileSize()).isZero();
        assertThat(fw.md5sum()).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
        assertThat(fw.sha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void matchingDeclaredMd5IsAccepted() {
        Firmware fw = service.register(new Registration("p1", "1.2.0", KEY, HELLO_MD5, null));

        assertThat(fw.md5sum()).isEqualTo(HELLO_MD5);
        assertThat(fw.description()).isEmpty();
        assertThat(catalog.saves()).hasSize(1);
    }

    @Test
    void uppercaseDeclaredMd5IsAcceptedAndStoredLowercase() {
        Firmware fw = service.register(new Registration("p1", "1.2.0", KEY, HELLO_MD5.toUpperCase(), ""));

        assertThat(fw.md5sum()).isEqualTo(HELLO_MD5);
        assertThat(catalog.saves()).singleElement().extracting(Firmware::md5sum).isEqualTo(HELLO_MD5);
    }

    @Test
    void mismatchingDeclaredMd5IsRejectedAndNothingIsSaved() {
        String wrong = "00000000000000000000000000000000";

        assertThatThrownBy(() -> service.register(new Registration("p1", "1.2.0", KEY, wrong, "")))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("declared md5sum " + wrong + " does not match the object's " + HELLO_MD5);

        assertThat(catalog.saves()).isEmpty();
        assertThat(catalog.find("p1", "1.2.0")).isEmpty();
        assertThat(objects.published()).isEmpty();
        assertThat(log.lines())
                .singleElement()
                .asString()
                .contains("\"level\":\"WARN\"")
                .contains("\"event\":\"firmware_rejected\"")
                .contains("\"computed\":\"" + HELLO_MD5 + "\"");
    }

    /** An upload through the management API reserves the version; its registration settles the reservation. */
    @Nested
    class Reservations {

        @Test
        void aReservationThatMatchesIsDownloadableOnceAvailable() {
            catalog.insert(Firmware.reserved("p1", "1.2.0", KEY, 5, HELLO_MD5, "", NOW), null);

            Firmware fw = service.register(Registration.fromKey(KEY));

            assertThat(fw.status()).isEqualTo(Firmware.Status.AVAILABLE);
            // The devices' copy exists before the firmware can be sent to them (see DownloadKey).
            assertThat(objects.published()).containsExactly(KEY + "#" + HELLO_MD5);
        }

        @Test
        void aReservationThatDoesNotMatchIsRejectedAndNotPublished() {
            catalog.insert(Firmware.reserved("p1", "1.2.0", KEY, 6, HELLO_MD5, "", NOW), null);

            Firmware fw = service.register(Registration.fromKey(KEY));

            assertThat(fw.status()).isEqualTo(Firmware.Status.REJECTED);
            assertThat(fw.rejectionReason()).contains("declared size 6 bytes");
            assertThat(objects.published()).isEmpty();
        }
    }

    @Nested
    class Registrations {

        @Test
        void fromKeyReadsProductAndVersion() {
            Registration r = Registration.fromKey("firmware/p1/1.2.0/fw.bin");

            assertThat(r.productId()).isEqualTo("p1");
            assertThat(r.version()).isEqualTo("1.2.0");
            assertThat(r.s3Key()).isEqualTo("firmware/p1/1.2.0/fw.bin");
            assertThat(r.declaredMd5()).isNull();
            assertThat(r.description()).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "firmware/p1/fw.bin",
                    "firmware/p1/1.2.0/",
                    "firmware/p1/1.2.0/sub/fw.bin",
                    "other/p1/1.2.0/fw.bin",
                    "Firmware/p1/1.2.0/fw.bin",
                    "/firmware/p1/1.2.0/fw.bin",
                    "firmware",
                    ""
                })
        void fromKeyRejectsOtherLayouts(String key) {
            assertThatThrownBy(() -> Registration.fromKey(key))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("key '" + key + "' is not firmware/{productId}/{version}/{file}");
        }

        @Test
        void fromKeyRejectsAnEmptyOrUnsafeProduct() {
            assertThatThrownBy(() -> Registration.fromKey("firmware//1.2.0/fw.bin"))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("productId is missing");
            assertThatThrownBy(() -> Registration.fromKey("firmware/p+1/1.2.0/fw.bin"))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("productId has characters outside [A-Za-z0-9_.:@-]");
        }

        @Test
        void fromKeyRejectsABadVersion() {
            assertThatThrownBy(() -> Registration.fromKey("firmware/p1//fw.bin"))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("version is missing");
            assertThatThrownBy(() -> Registration.fromKey("firmware/p1/" + "9".repeat(33) + "/fw.bin"))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("version is longer than 32 characters");
            assertThatThrownBy(() -> Registration.fromKey("firmware/p1/1.2 beta/fw.bin"))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("version must be printable ASCII without spaces");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "xyz",
                    "5d41402abc4b2a76b9719d911017c59",
                    "5d41402abc4b2a76b9719d911017c5920",
                    "5d41402abc4b2a76b9719d911017c59g"
                })
        void declaredMd5MustBe32HexDigits(String md5) {
            assertThatThrownBy(() -> new Registration("p1", "1.2.0", KEY, md5, ""))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("md5sum must be 32 hex digits");
        }

        @Test
        void s3KeyAndDescriptionAreBounded() {
            assertThatThrownBy(() -> new Registration("p1", "1.2.0", " ", null, ""))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("s3Key must be 1..1024 characters");
            assertThatThrownBy(() -> new Registration("p1", "1.2.0", "k".repeat(1025), null, ""))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("s3Key must be 1..1024 characters");
            assertThatThrownBy(() -> new Registration("p1", "1.2.0", KEY, null, "d".repeat(1025)))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("description is longer than 1024 characters");
            assertThat(new Registration("p1", "1.2.0", KEY, null, "d".repeat(1024)).description())
                    .hasSize(1024);
        }
    }
}
