package dev.ota.app.devicelist;

import dev.ota.app.firmware.UploadSettings;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.OperatorException;
import dev.ota.domain.device.DeviceId;
import dev.ota.port.out.FirmwareUploads;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Hands out a presigned PUT for a device-list file (one deviceName per line), which a job then
 * names as its targets. The files live under {@code device-lists/} in the firmware bucket, outside
 * the {@code firmware/} prefix that triggers registration.
 */
public final class DeviceListUploadService {

    public static final String KEY_PREFIX = "device-lists/";

    private final FirmwareUploads uploads;
    private final UploadSettings settings;
    private final Clock clock;

    public DeviceListUploadService(FirmwareUploads uploads, UploadSettings settings, Clock clock) {
        this.uploads = uploads;
        this.settings = settings;
        this.clock = clock;
    }

    public record DeviceListUpload(String productId, String s3Key, String method, String url, Instant expiresAt) {}

    public DeviceListUpload start(String productId) {
        try {
            new DeviceId(productId, "x");
        } catch (InvalidMessageException e) {
            throw new OperatorException(OperatorException.Code.INVALID_REQUEST, e.getMessage());
        }
        String key = KEY_PREFIX + productId + "/" + UUID.randomUUID() + ".txt";
        return new DeviceListUpload(
                productId,
                key,
                "PUT",
                uploads.presignPut(key, settings.urlExpiry()),
                clock.instant().plus(settings.urlExpiry()));
    }
}
