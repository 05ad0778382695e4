package dev.ota.port.out;

import java.io.InputStream;

/** Firmware image bytes, read as a stream so that any size fits in bounded memory. */
public interface FirmwareObjects {
    InputStream open(String key);

    /**
     * Makes the verified object at {@code key} downloadable by devices, under the name that
     * {@link DownloadUrlMinter} mints URLs for. Called once the object's digests are known, before
     * the firmware is registered; doing it again for the same bytes is harmless.
     */
    void publishForDownload(String key, String md5sum);
}
