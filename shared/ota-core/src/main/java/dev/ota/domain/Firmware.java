package dev.ota.domain;

import java.time.Instant;

/**
 * A firmware image registered from the firmware bucket. Size and digests are computed from the
 * bytes themselves: an S3 ETag is not an MD5 for multipart uploads, and a declared md5sum is
 * only a claim.
 */
public record Firmware(
        String productId, String version, String s3Key, long fileSize, String md5sum, String sha256, String description, Instant registeredAt) {

    public FirmwareRef ref() {
        return new FirmwareRef(version, s3Key, fileSize, md5sum);
    }
}
