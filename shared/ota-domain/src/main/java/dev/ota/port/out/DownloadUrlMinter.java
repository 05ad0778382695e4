package dev.ota.port.out;

import dev.ota.domain.FirmwareRef;

/**
 * Makes the URL a device downloads firmware from. The one seam for URL strategies: presigned S3
 * today; a CDN, short-link or device-bound URL can plug in here.
 */
public interface DownloadUrlMinter {
    String mint(FirmwareRef firmware);
}
