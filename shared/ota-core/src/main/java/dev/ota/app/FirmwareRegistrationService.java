package dev.ota.app;

import dev.ota.digest.FirmwareDigests;
import dev.ota.digest.FirmwareDigests.Digests;
import dev.ota.domain.Firmware;
import dev.ota.log.StructuredLog;
import dev.ota.port.FirmwareCatalog;
import dev.ota.port.FirmwareObjects;
import dev.ota.protocol.DeviceId;
import dev.ota.protocol.FirmwareVersion;
import dev.ota.protocol.InvalidMessageException;
import java.time.Clock;

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

    public FirmwareRegistrationService(FirmwareCatalog catalog, FirmwareObjects objects, Clock clock, StructuredLog log) {
        this.catalog = catalog;
        this.objects = objects;
        this.clock = clock;
        this.log = log;
    }

    public record Registration(String productId, String version, String s3Key, String declaredMd5, String description) {
        public Registration {
            new DeviceId(productId, "x");
            FirmwareVersion.require("version", version);
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

    public Firmware register(Registration registration) {
        Digests digests = FirmwareDigests.of(objects.open(registration.s3Key()));
        if (registration.declaredMd5() != null && !FirmwareDigests.normaliseMd5(registration.declaredMd5()).equals(digests.md5())) {
            log.warn("firmware_rejected", "productId", registration.productId(), "version", registration.version(),
                    "reason", "md5 mismatch", "declared", registration.declaredMd5(), "computed", digests.md5());
            throw new InvalidMessageException("declared md5sum " + registration.declaredMd5() + " does not match the object's " + digests.md5());
        }
        Firmware firmware = new Firmware(registration.productId(), registration.version(), registration.s3Key(), digests.size(),
                digests.md5(), digests.sha256(), registration.description(), clock.instant());
        // Downloadable before it is registered: a registered firmware can always be sent to devices.
        objects.publishForDownload(registration.s3Key(), digests.md5());
        catalog.save(firmware);
        log.info("firmware_registered", "productId", firmware.productId(), "version", firmware.version(), "s3Key", firmware.s3Key(),
                "fileSize", firmware.fileSize(), "md5sum", firmware.md5sum());
        return firmware;
    }
}
