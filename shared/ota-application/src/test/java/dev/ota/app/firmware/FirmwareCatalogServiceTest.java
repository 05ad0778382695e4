package dev.ota.app.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.app.FirmwareRegistrationService;
import dev.ota.app.FirmwareRegistrationService.Registration;
import dev.ota.domain.CompletedPart;
import dev.ota.domain.Firmware;
import dev.ota.domain.OperatorException;
import dev.ota.domain.OperatorException.Code;
import dev.ota.domain.Page;
import dev.ota.port.in.FirmwareOperations.FirmwareView;
import dev.ota.port.in.FirmwareOperations.StartUpload;
import dev.ota.port.in.FirmwareOperations.UploadTicket;
import dev.ota.testing.InMemoryFirmwareCatalog;
import dev.ota.testing.InMemoryFirmwareObjects;
import dev.ota.testing.RecordingFirmwareUploads;
import dev.ota.testing.TestLog;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FirmwareCatalogServiceTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final long MIB = 1024 * 1024;
    private static final String HELLO_MD5 = "5d41402abc4b2a76b9719d911017c592";

    private final InMemoryFirmwareCatalog catalog = new InMemoryFirmwareCatalog();
    private final InMemoryFirmwareObjects objects = new InMemoryFirmwareObjects();
    private final RecordingFirmwareUploads uploads = new RecordingFirmwareUploads();
    private final Map<String, String> liveJobs = new HashMap<>();
    private final TestLog log = new TestLog("management-api");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final FirmwareCatalogService service = new FirmwareCatalogService(
            catalog,
            uploads,
            (p, v) -> Optional.ofNullable(liveJobs.get(p + "/" + v)),
            new UploadSettings(8 * MIB, 5 * MIB, Duration.ofMinutes(30)),
            clock,
            log.log());
    private final FirmwareRegistrationService registration =
            new FirmwareRegistrationService(catalog, objects, clock, log.log());

    private static StartUpload upload(String product, String version, long size, String md5) {
        return new StartUpload(product, version, null, size, md5, "desc");
    }

    private static void assertCode(ThrowingCallable call, Code code, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(OperatorException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Nested
    class StartingUploads {

        @Test
        void smallFileGetsOnePresignedPutAndAnUploadingReservation() {
            UploadTicket ticket =
                    service.startUpload(new StartUpload("p1", "1.0.0", "fw.bin", 5, HELLO_MD5.toUpperCase(), "first"));

            assertThat(ticket.method()).isEqualTo("PUT");
            assertThat(ticket.s3Key()).isEqualTo("firmware/p1/1.0.0/fw.bin");
            assertThat(ticket.url()).startsWith("https://s3.test/firmware/p1/1.0.0/fw.bin");
            assertThat(ticket.uploadId()).isNull();
            assertThat(ticket.parts()).isEmpty();
            assertThat(ticket.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(30)));
            FirmwareView view = service.describe("p1", "1.0.0");
            assertThat(view.status()).isEqualTo("UPLOADING");
            assertThat(view.md5sum()).isEqualTo(HELLO_MD5);
            assertThat(view.fileSize()).isEqualTo(5);
            assertThat(view.description()).isEqualTo("first");
            assertThat(view.createdAt()).isEqualTo(NOW);
            assertThat(view.registeredAt()).isNull();
        }

        @Test
        void fileNameDefaults() {
            assertThat(service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5)).s3Key())
                    .isEqualTo("firmware/p1/1.0.0/firmware.bin");
        }

        @Test
        void largeFileGetsAMultipartUploadWithOneUrlPerPart() {
            UploadTicket ticket = service.startUpload(upload("p1", "2.0.0", 12 * MIB, HELLO_MD5));

            assertThat(ticket.method()).isEqualTo("MULTIPART");
            assertThat(ticket.url()).isNull();
            assertThat(ticket.uploadId()).isEqualTo("upload-1");
            assertThat(ticket.partSize()).isEqualTo(5 * MIB);
            assertThat(ticket.parts()).extracting(p -> p.partNumber()).containsExactly(1, 2, 3);
            assertThat(ticket.parts().get(2).url()).contains("partNumber=3").contains("uploadId=upload-1");
            assertThat(catalog.upload("p1", "2.0.0")).hasValueSatisfying(u -> {
                assertThat(u.uploadId()).isEqualTo("upload-1");
                assertThat(u.partCount()).isEqualTo(3);
            });
        }

        @Test
        void thresholdIsInclusive() {
            assertThat(service.startUpload(upload("p1", "a", 8 * MIB, HELLO_MD5))
                            .method())
                    .isEqualTo("PUT");
            assertThat(service.startUpload(upload("p1", "b", 8 * MIB + 1, HELLO_MD5))
                            .method())
                    .isEqualTo("MULTIPART");
        }

        @Test
        void versionIsUniquePerProductWhateverItsStatus() {
            service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));

            assertCode(
                    () -> service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5)),
                    Code.VERSION_TAKEN,
                    "delete it first");
            assertThat(service.startUpload(upload("p2", "1.0.0", 5, HELLO_MD5)).method())
                    .isEqualTo("PUT");
        }

        @Test
        void multipartUploadIsAbortedWhenTheVersionWasTakenMeanwhile() {
            InMemoryFirmwareCatalog racing = new InMemoryFirmwareCatalog() {
                @Override
                public Optional<Firmware> find(String productId, String version) {
                    return Optional.empty(); // the pre-check saw nothing...
                }
            };
            racing.insert(Firmware.reserved("p1", "9.0.0", "firmware/p1/9.0.0/x", 1, HELLO_MD5, "", NOW), null);
            FirmwareCatalogService s = new FirmwareCatalogService(
                    racing,
                    uploads,
                    (p, v) -> Optional.empty(),
                    new UploadSettings(8 * MIB, 5 * MIB, Duration.ofMinutes(30)),
                    clock,
                    log.log());

            assertCode(() -> s.startUpload(upload("p1", "9.0.0", 20 * MIB, HELLO_MD5)), Code.VERSION_TAKEN, "9.0.0");
            assertThat(uploads.calls)
                    .containsExactly(
                            "createMultipart firmware/p1/9.0.0/firmware.bin -> upload-1",
                            "abortMultipart firmware/p1/9.0.0/firmware.bin upload-1");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {"", "123456789012345678901234567890123", "1.0 beta", "1/0", "1.0?", "ä", ".", "..", "..."})
        void badVersionsAreRefused(String version) {
            assertCode(() -> service.startUpload(upload("p1", version, 5, HELLO_MD5)), Code.INVALID_REQUEST, "version");
        }

        @Test
        void versionOf32CharactersIsFine() {
            assertThat(service.startUpload(upload("p1", "1".repeat(32), 5, HELLO_MD5))
                            .version())
                    .hasSize(32);
        }

        @Test
        void limitsAreEnforcedWithClearMessages() {
            assertCode(
                    () -> service.startUpload(upload("p1", "1", 0, HELLO_MD5)),
                    Code.INVALID_REQUEST,
                    "fileSize must be 1..1073741824");
            assertCode(
                    () -> service.startUpload(upload("p1", "1", 1024 * MIB + 1, HELLO_MD5)),
                    Code.INVALID_REQUEST,
                    "1 GiB");
            assertCode(
                    () -> service.startUpload(upload("p1", "1", 5, "abc")),
                    Code.INVALID_REQUEST,
                    "md5sum must be 32 hex digits");
            assertCode(() -> service.startUpload(upload("p1", "1", 5, null)), Code.INVALID_REQUEST, "md5sum");
            assertCode(
                    () -> service.startUpload(upload("p/1", "1", 5, HELLO_MD5)),
                    Code.INVALID_REQUEST,
                    "productId has characters");
            assertCode(
                    () -> service.startUpload(upload(null, "1", 5, HELLO_MD5)),
                    Code.INVALID_REQUEST,
                    "productId is missing");
            assertCode(
                    () -> service.startUpload(new StartUpload("p1", "1", "../x", 5, HELLO_MD5, "")),
                    Code.INVALID_REQUEST,
                    "fileName");
            assertCode(
                    () -> service.startUpload(new StartUpload("p1", "1", "fw.bin", 5, HELLO_MD5, "d".repeat(1025))),
                    Code.INVALID_REQUEST,
                    "description is longer than 1024");
            assertThat(service.startUpload(upload("p1", "1", 1024 * MIB, HELLO_MD5))
                            .parts())
                    .hasSize(205);
            assertThat(catalog.find("p1", "1")).isPresent();
        }
    }

    @Nested
    class Registration_ {

        @Test
        void matchingBytesMakeTheReservationAvailable() {
            UploadTicket ticket = service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));
            objects.put(ticket.s3Key(), "hello".getBytes(StandardCharsets.US_ASCII));

            Firmware fw = registration.register(Registration.fromKey(ticket.s3Key()));

            assertThat(fw.status()).isEqualTo(Firmware.Status.AVAILABLE);
            FirmwareView view = service.describe("p1", "1.0.0");
            assertThat(view.status()).isEqualTo("AVAILABLE");
            assertThat(view.sha256()).hasSize(64);
            assertThat(view.description()).isEqualTo("desc");
            assertThat(view.registeredAt()).isEqualTo(NOW);
        }

        @Test
        void otherBytesRejectTheFirmwareWithTheReason() {
            UploadTicket ticket = service.startUpload(upload("p1", "1.0.0", 5, "00000000000000000000000000000000"));
            objects.put(ticket.s3Key(), "hello".getBytes(StandardCharsets.US_ASCII));

            Firmware fw = registration.register(Registration.fromKey(ticket.s3Key()));

            assertThat(fw.status()).isEqualTo(Firmware.Status.REJECTED);
            assertThat(fw.available()).isFalse();
            FirmwareView view = service.describe("p1", "1.0.0");
            assertThat(view.status()).isEqualTo("REJECTED");
            assertThat(view.rejectionReason())
                    .isEqualTo("declared md5sum 00000000000000000000000000000000 does not match the uploaded object's "
                            + HELLO_MD5);
            assertThat(view.md5sum())
                    .as("the declared md5 stays on record")
                    .isEqualTo("00000000000000000000000000000000");
        }

        @Test
        void otherSizeRejectsTheFirmware() {
            UploadTicket ticket = service.startUpload(upload("p1", "1.0.0", 6, HELLO_MD5));
            objects.put(ticket.s3Key(), "hello".getBytes(StandardCharsets.US_ASCII));

            assertThat(registration
                            .register(Registration.fromKey(ticket.s3Key()))
                            .rejectionReason())
                    .isEqualTo("declared size 6 bytes does not match the uploaded object's 5");
        }

        @Test
        void anotherKeyUnderAReservedVersionIsRefused() {
            service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));
            objects.put("firmware/p1/1.0.0/other.bin", "hello".getBytes(StandardCharsets.US_ASCII));

            assertThatThrownBy(() -> registration.register(Registration.fromKey("firmware/p1/1.0.0/other.bin")))
                    .hasMessageContaining("is reserved for the object 'firmware/p1/1.0.0/firmware.bin'");
            assertThat(service.describe("p1", "1.0.0").status()).isEqualTo("UPLOADING");
        }

        @Test
        void aRepeatedEventLeavesAnAvailableRecordAsItWas() {
            UploadTicket ticket = service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));
            objects.put(ticket.s3Key(), "hello".getBytes(StandardCharsets.US_ASCII));
            Firmware first = registration.register(Registration.fromKey(ticket.s3Key()));

            assertThat(registration.register(Registration.fromKey(ticket.s3Key())))
                    .isEqualTo(first);
            assertThat(service.describe("p1", "1.0.0").description()).isEqualTo("desc");
        }
    }

    @Nested
    class CompletingUploads {

        @Test
        void completesWithEveryPartInOrder() {
            UploadTicket ticket = service.startUpload(upload("p1", "2.0.0", 12 * MIB, HELLO_MD5));
            List<CompletedPart> parts = IntStream.rangeClosed(1, 3)
                    .mapToObj(n -> new CompletedPart(n, "\"etag" + n + "\""))
                    .toList();

            FirmwareView view = service.completeUpload("p1", "2.0.0", ticket.uploadId(), parts);

            assertThat(view.status()).isEqualTo("UPLOADING");
            assertThat(uploads.calls).contains("completeMultipart firmware/p1/2.0.0/firmware.bin upload-1 3");
        }

        @Test
        void refusesIncompleteOrDisorderedParts() {
            UploadTicket ticket = service.startUpload(upload("p1", "2.0.0", 12 * MIB, HELLO_MD5));

            assertCode(
                    () -> service.completeUpload("p1", "2.0.0", ticket.uploadId(), List.of(new CompletedPart(1, "e"))),
                    Code.INVALID_REQUEST,
                    "all 3 parts");
            assertCode(
                    () -> service.completeUpload(
                            "p1",
                            "2.0.0",
                            ticket.uploadId(),
                            List.of(new CompletedPart(1, "e"), new CompletedPart(3, "e"), new CompletedPart(2, "e"))),
                    Code.INVALID_REQUEST,
                    "in order");
            assertCode(
                    () -> service.completeUpload(
                            "p1",
                            "2.0.0",
                            ticket.uploadId(),
                            List.of(new CompletedPart(1, "e"), new CompletedPart(2, " "), new CompletedPart(3, "e"))),
                    Code.INVALID_REQUEST,
                    "ETag");
            assertCode(() -> service.completeUpload("p1", "2.0.0", "other", List.of()), Code.NOT_FOUND, "upload other");
            assertCode(() -> service.completeUpload("p1", "2.0.0", "", List.of()), Code.INVALID_REQUEST, "uploadId");
            assertCode(
                    () -> service.completeUpload("p1", "9.9.9", "x", List.of()), Code.NOT_FOUND, "no firmware 9.9.9");
        }

        @Test
        void singlePutUploadsHaveNothingToComplete() {
            service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));
            assertCode(() -> service.completeUpload("p1", "1.0.0", "x", List.of()), Code.CONFLICT, "single PUT");
        }

        @Test
        void registeredFirmwareHasNothingToComplete() {
            UploadTicket ticket = service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));
            objects.put(ticket.s3Key(), "hello".getBytes(StandardCharsets.US_ASCII));
            registration.register(Registration.fromKey(ticket.s3Key()));

            assertCode(
                    () -> service.completeUpload("p1", "1.0.0", "x", List.of()),
                    Code.CONFLICT,
                    "is AVAILABLE, not UPLOADING");
        }
    }

    @Nested
    class Catalogue {

        @Test
        void listsPagesFilteredByProduct() {
            for (String v : List.of("1.0.0", "1.1.0", "1.2.0")) {
                service.startUpload(upload("p1", v, 5, HELLO_MD5));
            }
            service.startUpload(upload("p2", "9.0.0", 5, HELLO_MD5));

            Page<FirmwareView> first = service.list("p1", null, 2);
            assertThat(first.items()).extracting(FirmwareView::version).containsExactly("1.0.0", "1.1.0");
            assertThat(first.nextToken()).isNotNull();
            Page<FirmwareView> second = service.list("p1", first.nextToken(), 2);
            assertThat(second.items()).extracting(FirmwareView::version).containsExactly("1.2.0");
            assertThat(second.nextToken()).isNull();
            assertThat(service.list(null, null, 100).items()).hasSize(4);
        }

        @Test
        void listValidatesItsArguments() {
            assertCode(() -> service.list("p1", null, 0), Code.INVALID_REQUEST, "limit must be 1..100");
            assertCode(() -> service.list("p1", null, 101), Code.INVALID_REQUEST, "limit must be 1..100");
            assertCode(() -> service.list("p 1", null, 10), Code.INVALID_REQUEST, "productId");
            assertCode(() -> service.list("p1", "", 10), Code.INVALID_REQUEST, "nextToken is not valid");
        }

        @Test
        void describeOfAnUnknownVersionIsNotFound() {
            assertCode(() -> service.describe("p1", "1.0.0"), Code.NOT_FOUND, "no firmware 1.0.0 of product p1");
        }

        @Test
        void editsTheDescription() {
            service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));

            assertThat(service.editDescription("p1", "1.0.0", "new words").description())
                    .isEqualTo("new words");
            assertThat(service.describe("p1", "1.0.0").description()).isEqualTo("new words");
            assertCode(() -> service.editDescription("p1", "1.0.0", "x".repeat(1025)), Code.INVALID_REQUEST, "1024");
            assertCode(
                    () -> service.editDescription("p1", "1.0.0", null), Code.INVALID_REQUEST, "description is missing");
            assertCode(() -> service.editDescription("p1", "2.0.0", "x"), Code.NOT_FOUND, "no firmware 2.0.0");
        }

        @Test
        void deleteRemovesTheRecordAndTheObject() {
            service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));

            service.delete("p1", "1.0.0");

            assertThat(catalog.find("p1", "1.0.0")).isEmpty();
            assertThat(uploads.calls).contains("delete firmware/p1/1.0.0/firmware.bin");
            assertCode(() -> service.delete("p1", "1.0.0"), Code.NOT_FOUND, "no firmware");
        }

        @Test
        void deletingAnUnfinishedMultipartUploadAbortsIt() {
            UploadTicket ticket = service.startUpload(upload("p1", "2.0.0", 12 * MIB, HELLO_MD5));

            service.delete("p1", "2.0.0");

            assertThat(uploads.calls)
                    .contains(
                            "abortMultipart firmware/p1/2.0.0/firmware.bin " + ticket.uploadId(),
                            "delete firmware/p1/2.0.0/firmware.bin");
        }

        @Test
        void deleteIsRefusedWhileALiveJobTargetsTheFirmware() {
            service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));
            liveJobs.put("p1/1.0.0", "job-7");

            assertCode(() -> service.delete("p1", "1.0.0"), Code.FIRMWARE_IN_USE, "live job job-7");
            assertThat(catalog.find("p1", "1.0.0")).isPresent();
            assertThat(uploads.calls).noneMatch(c -> c.startsWith("delete"));
        }

        @Test
        void aJobThatAppearsDuringTheDeletePutsTheRecordBack() {
            service.startUpload(upload("p1", "1.0.0", 5, HELLO_MD5));
            Firmware before = catalog.find("p1", "1.0.0").orElseThrow();
            int[] checks = {0};
            FirmwareCatalogService racing = new FirmwareCatalogService(
                    catalog,
                    uploads,
                    (p, v) -> ++checks[0] == 1 ? Optional.empty() : Optional.of("job-late"),
                    new UploadSettings(8 * MIB, 5 * MIB, Duration.ofMinutes(30)),
                    clock,
                    log.log());

            assertCode(() -> racing.delete("p1", "1.0.0"), Code.FIRMWARE_IN_USE, "job-late");
            assertThat(catalog.find("p1", "1.0.0")).contains(before);
            assertThat(uploads.calls).noneMatch(c -> c.startsWith("delete"));
        }
    }
}
