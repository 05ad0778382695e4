package dev.ota.domain;

import java.time.Instant;

/**
 * A firmware image in the catalogue. Size and digests are computed from the bytes themselves: an
 * S3 ETag is not an MD5 for multipart uploads, and a declared md5sum is only a claim.
 *
 * @param registeredAt when the bytes were verified (AVAILABLE or REJECTED); for an UPLOADING
 *     reservation, when it was made
 * @param status UPLOADING while reserved by an upload, AVAILABLE once verified, REJECTED when the
 *     bytes did not match the declared md5sum (or size); only AVAILABLE firmware can be rolled out
 * @param createdAt when the catalogue first held this version (the reservation, or a direct registration)
 */
public record Firmware(
        String productId,
        String version,
        String s3Key,
        long fileSize,
        String md5sum,
        String sha256,
        String description,
        Instant registeredAt,
        Status status,
        String rejectionReason,
        Instant createdAt) {

    public enum Status {
        UPLOADING,
        AVAILABLE,
        REJECTED
    }

    /** A verified, available firmware. */
    public Firmware(
            String productId,
            String version,
            String s3Key,
            long fileSize,
            String md5sum,
            String sha256,
            String description,
            Instant registeredAt) {
        this(
                productId,
                version,
                s3Key,
                fileSize,
                md5sum,
                sha256,
                description,
                registeredAt,
                Status.AVAILABLE,
                null,
                registeredAt);
    }

    /** A firmware created when it was registered. */
    public Firmware(
            String productId,
            String version,
            String s3Key,
            long fileSize,
            String md5sum,
            String sha256,
            String description,
            Instant registeredAt,
            Status status,
            String rejectionReason) {
        this(
                productId,
                version,
                s3Key,
                fileSize,
                md5sum,
                sha256,
                description,
                registeredAt,
                status,
                rejectionReason,
                registeredAt);
    }

    /** A version reserved by an upload: the operator's declared size and md5sum, nothing verified yet. */
    public static Firmware reserved(
            String productId,
            String version,
            String s3Key,
            long declaredSize,
            String declaredMd5,
            String description,
            Instant at) {
        return new Firmware(
                productId,
                version,
                s3Key,
                declaredSize,
                declaredMd5,
                null,
                description,
                at,
                Status.UPLOADING,
                null,
                at);
    }

    public boolean available() {
        return status == Status.AVAILABLE;
    }

    /** The same record REJECTED at {@code at} for {@code reason}: nothing it declared was verified. */
    public Firmware rejected(String reason, Instant at) {
        return new Firmware(
                productId,
                version,
                s3Key,
                fileSize,
                md5sum,
                sha256,
                description,
                at,
                Status.REJECTED,
                reason,
                createdAt);
    }

    public Firmware withDescription(String newDescription) {
        return new Firmware(
                productId,
                version,
                s3Key,
                fileSize,
                md5sum,
                sha256,
                newDescription,
                registeredAt,
                status,
                rejectionReason,
                createdAt);
    }

    public FirmwareRef ref() {
        return new FirmwareRef(version, s3Key, fileSize, md5sum);
    }
}
