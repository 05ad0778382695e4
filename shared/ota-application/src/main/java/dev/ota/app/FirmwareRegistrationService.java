package dev.ota.app;

import dev.ota.digest.FirmwareDigests;
import dev.ota.digest.FirmwareDigests.Digests;
import dev.ota.domain.Firmware;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.FirmwareVersion;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.FirmwareCatalog;
import dev.ota.port.out.FirmwareObjects;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes a firmware record from an object in the firmware bucket. Size, MD5 and SHA-256 come from
 * streaming the object itself; a declared md5sum is checked against them, never trusted.
 */
public final class FirmwareRegistrationService {

    /** Objects under this prefix register themselves: {@code firmware/{productId}/{version}/{file}}. */
    public static final String KEY_PREFIX = "firmware/";

    private final FirmwareCatalog catalog;
    private final FirmwareObjects objects;
    private final Clock clock;
    private final StructuredLog log;

    public FirmwareRegistrationService(
            FirmwareCatalog catalog, FirmwareObjects objects, Clock clock, StructuredLog log) {
        this.catalog = catalog;
        this.objects = objects;
        this.clock = clock;
        this.log = log;
    }

    public record Registration(String productId, String version, String s3Key, String declaredMd5, String description) {
        public Registration {
            new DeviceId(productId, "x");
            FirmwareVersion.requireStorable("version", version);
            if (s3Key == null || s3Key.isBlank() || s3Key.length() > 1024) {
                throw new InvalidMessageException("s3Key must be 1..1024 characters");
            }
            if (declaredMd5 != null && !declaredMd5.matches("[0-9a-fA-F]{32}")) {
                throw new InvalidMessageException("md5sum must be 32 hex digits");
            }
            description = description == null ? "" : description;
            if (description.length() > 1024) {
                throw new InvalidMessageException("description is longer than 1024 characters");
            }
        }

        /** Reads productId and version from a key laid out as {@code firmware/{productId}/{version}/{file}}. */
        public static Registration fromKey(String key) {
            String[] parts = key.split("/", -1);
            if (parts.length != 4 || !KEY_PREFIX.equals(parts[0] + "/") || parts[3].isEmpty()) {
                throw new InvalidMessageException("key '" + key + "' is not firmware/{productId}/{version}/{file}");
            }
            return new Registration(parts[1], parts[2], key, null, "");
        }
    }

    /**
     * Registers the object named by {@code registration}.
     *
     * <ul>
     *   <li>No record, or an AVAILABLE one: the object is registered (again) as AVAILABLE; a declared
     *       md5sum that does not match is refused and nothing is saved.</li>
     *   <li>A reservation made by an upload (UPLOADING), or an earlier REJECTED check of it: the bytes
     *       are checked against the declared md5sum and size, and the record settles as AVAILABLE or
     *       REJECTED (with the reason). A REJECTED record is returned, not thrown.</li>
     * </ul>
     */
    public Firmware register(Registration registration) {
        Optional<Firmware> existing = catalog.find(registration.productId(), registration.version());
        if (existing.isPresent() && existing.get().status() != Firmware.Status.AVAILABLE) {
            return settleReservation(existing.get(), registration);
        }
        Digests digests = FirmwareDigests.of(objects.open(registration.s3Key()));
        if (registration.declaredMd5() != null
                && !FirmwareDigests.normaliseMd5(registration.declaredMd5()).equals(digests.md5())) {
            log.warn(
                    "firmware_rejected",
                    "productId",
                    registration.productId(),
                    "version",
                    registration.version(),
                    "reason",
                    "md5 mismatch",
                    "declared",
                    registration.declaredMd5(),
                    "computed",
                    digests.md5());
            throw new InvalidMessageException(
                    "declared md5sum " + registration.declaredMd5() + " does not match the object's " + digests.md5());
        }
        if (existing.isPresent()) {
            Firmware registered = existing.get();
            if (registered.s3Key().equals(registration.s3Key())
                    && registered.md5sum().equals(digests.md5())) {
                log.info(
                        "firmware_already_registered",
                        "productId",
                        registered.productId(),
                        "version",
                        registered.version(),
                        "s3Key",
                        registered.s3Key());
                return registered; // the same object again (S3 delivers an event twice now and then)
            }
            log.warn(
                    "firmware_registration_refused",
                    "productId",
                    registered.productId(),
                    "version",
                    registered.version(),
                    "reason",
                    "version taken",
                    "registeredKey",
                    registered.s3Key(),
                    "s3Key",
                    registration.s3Key(),
                    "computed",
                    digests.md5());
            throw new InvalidMessageException("version " + registered.version() + " of product "
                    + registered.productId() + " is already registered with other content");
        }
        Firmware firmware = new Firmware(
                registration.productId(),
                registration.version(),
                registration.s3Key(),
                digests.size(),
                digests.md5(),
                digests.sha256(),
                registration.description(),
                clock.instant());
        // Downloadable before it is registered: a registered firmware can always be sent to devices.
        objects.publishForDownload(registration.s3Key(), digests.md5());
        catalog.save(firmware);
        log.info(
                "firmware_registered",
                "productId",
                firmware.productId(),
                "version",
                firmware.version(),
                "s3Key",
                firmware.s3Key(),
                "fileSize",
                firmware.fileSize(),
                "md5sum",
                firmware.md5sum());
        return firmware;
    }

    private Firmware settleReservation(Firmware reserved, Registration registration) {
        if (!reserved.s3Key().equals(registration.s3Key())) {
            log.warn(
                    "firmware_registration_refused",
                    "productId",
                    reserved.productId(),
                    "version",
                    reserved.version(),
                    "reservedKey",
                    reserved.s3Key(),
                    "s3Key",
                    registration.s3Key());
            throw new InvalidMessageException("version " + reserved.version() + " of product " + reserved.productId()
                    + " is reserved for the object '" + reserved.s3Key() + "', not '" + registration.s3Key() + "'");
        }
        Digests digests = FirmwareDigests.of(objects.open(registration.s3Key()));
        List<String> problems = new ArrayList<>();
        if (!reserved.md5sum().equals(digests.md5())) {
            problems.add(
                    "declared md5sum " + reserved.md5sum() + " does not match the uploaded object's " + digests.md5());
        }
        if (registration.declaredMd5() != null
                && !FirmwareDigests.normaliseMd5(registration.declaredMd5()).equals(digests.md5())) {
            problems.add(
                    "declared md5sum " + registration.declaredMd5() + " does not match the object's " + digests.md5());
        }
        if (reserved.fileSize() != digests.size()) {
            problems.add("declared size " + reserved.fileSize() + " bytes does not match the uploaded object's "
                    + digests.size());
        }
        Instant now = clock.instant();
        String description = registration.description().isEmpty() ? reserved.description() : registration.description();
        Firmware next = problems.isEmpty()
                ? new Firmware(
                        reserved.productId(),
                        reserved.version(),
                        reserved.s3Key(),
                        digests.size(),
                        digests.md5(),
                        digests.sha256(),
                        description,
                        now,
                        Firmware.Status.AVAILABLE,
                        null,
                        reserved.createdAt())
                : new Firmware(
                        reserved.productId(),
                        reserved.version(),
                        reserved.s3Key(),
                        reserved.fileSize(),
                        reserved.md5sum(),
                        null,
                        description,
                        now,
                        Firmware.Status.REJECTED,
                        String.join("; ", problems),
                        reserved.createdAt());
        if (next.available()) {
            // Downloadable before it is available, as for a direct registration.
            objects.publishForDownload(reserved.s3Key(), digests.md5());
        }
        if (!catalog.settle(next, reserved.status())) {
            Firmware now2 =
                    catalog.find(reserved.productId(), reserved.version()).orElse(null);
            if (now2 != null && now2.status() == next.status() && now2.md5sum().equals(next.md5sum())) {
                return now2; // the same object registered twice at once (S3 may deliver an event twice)
            }
            throw new InvalidMessageException("firmware " + reserved.version() + " of product " + reserved.productId()
                    + " changed while it was being registered (deleted or registered by another event)");
        }
        if (next.available()) {
            log.info(
                    "firmware_registered",
                    "productId",
                    next.productId(),
                    "version",
                    next.version(),
                    "s3Key",
                    next.s3Key(),
                    "fileSize",
                    next.fileSize(),
                    "md5sum",
                    next.md5sum(),
                    "reserved",
                    true);
        } else {
            log.warn(
                    "firmware_rejected",
                    "productId",
                    next.productId(),
                    "version",
                    next.version(),
                    "reason",
                    next.rejectionReason(),
                    "declared",
                    reserved.md5sum(),
                    "computed",
                    digests.md5(),
                    "declaredSize",
                    reserved.fileSize(),
                    "size",
                    digests.size());
        }
        return next;
    }
}
