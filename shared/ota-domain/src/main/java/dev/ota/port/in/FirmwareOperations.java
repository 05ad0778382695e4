package dev.ota.port.in;

import dev.ota.domain.CompletedPart;
import dev.ota.domain.Page;
import java.time.Instant;
import java.util.List;

/**
 * The firmware catalogue as operators use it (Tencent's firmware API plus what a demanding user
 * expects). Implemented in the application layer; driven by the HTTP API.
 */
public interface FirmwareOperations {

    /** Largest firmware accepted (Tencent's limit). */
    long MAX_FILE_SIZE = 1024L * 1024 * 1024;

    /**
     * Reserves productId + version and hands out where to PUT the bytes: one presigned PUT for
     * small files, a multipart upload with one presigned URL per part for large ones.
     */
    UploadTicket startUpload(StartUpload request);

    /** Completes a multipart upload; the S3 notification then registers and verifies the firmware. */
    FirmwareView completeUpload(String productId, String version, String uploadId, List<CompletedPart> parts);

    Page<FirmwareView> list(String productId, String nextToken, int limit);

    FirmwareView describe(String productId, String version);

    FirmwareView editDescription(String productId, String version, String description);

    /** Refuses with FIRMWARE_IN_USE while a live job targets it. */
    void delete(String productId, String version);

    record StartUpload(
            String productId, String version, String fileName, long fileSize, String md5sum, String description) {}

    record UploadTicket(
            String productId,
            String version,
            String s3Key,
            String method,
            String url,
            String uploadId,
            long partSize,
            List<PartUrl> parts,
            Instant expiresAt) {}

    record PartUrl(int partNumber, String url) {}

    /** status: UPLOADING (reserved, bytes not verified), AVAILABLE, REJECTED (declared md5 did not match). */
    record FirmwareView(
            String productId,
            String version,
            String status,
            String s3Key,
            long fileSize,
            String md5sum,
            String sha256,
            String description,
            String rejectionReason,
            Instant createdAt,
            Instant registeredAt) {}
}
