package dev.ota.domain;

import java.time.Instant;

/**
 * A firmware image in the catalogue. Size and digests are computed from the bytes themselves: an
 * S3 ETag is not an MD5 for multipart uploads, and a declared md5sum is only a claim.
 *
 * @param status UPLOADING while reserved by an upload, AVAILABLE once verified, REJECTED when the
 *     bytes did not match the declared md5sum; only AVAILABLE firmware can be rolled out
 */
public record Firmware(
        String productId, String version, String s3Key, long fileSize, String md5sum, String sha256, String description, Instant registeredAt,
        Status status, String rejectionReason) {

    public enum Status { UPLOADING, AVAILABLE, REJECTED }

    /** A verified, available firmware. */
    public Firmware(String productId, String version, String s3Key, long fileSize, String md5sum, String sha256, String description, Instant registeredAt) {
        this(productId, version, s3Key, fileSize, md5sum, sha256, description, registeredAt, Status.AVAILABLE, null);
    }

    public boolean available() {
        return status == Status.AVAILABLE;
    }

    public FirmwareRef ref() {
        return new FirmwareRef(version, s3Key, fileSize, md5sum);
    }
}
