package dev.ota.port.out;

import dev.ota.domain.Firmware;
import dev.ota.domain.Page;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The firmware catalogue: one record per productId + version. Device-side code only finds;
 * registration saves and settles; the operator side reserves, lists, edits and deletes.
 */
public interface FirmwareCatalog {
    Optional<Firmware> find(String productId, String version);

    /** Registers verified firmware; saving the same object again is a no-op, other content under a taken version fails. */
    void save(Firmware firmware);

    /**
     * Adds a record if its version is free: an upload's reservation (status UPLOADING), or a
     * record put back.
     *
     * @param upload the multipart upload that will fill it, or null
     * @return false when the version is already in the catalogue, whatever its status
     */
    boolean insert(Firmware firmware, Upload upload);

    /** The multipart upload of a reserved version, if it has one. */
    Optional<Upload> upload(String productId, String version);

    /**
     * Replaces a record that still has status {@code expected} and the same s3Key.
     *
     * @return false when the record is gone or no longer in {@code expected}
     */
    boolean settle(Firmware next, Firmware.Status expected);

    /** Reservations still UPLOADING that were made before {@code cutoff}, oldest first (a sparse index). */
    List<Firmware> uploadingSince(Instant cutoff, int limit);

    /**
     * One page of firmware, ordered by version within a product.
     *
     * @param productId null for every product (a full scan; order by product is not guaranteed)
     * @param nextToken null for the first page; an invalid token is an OperatorException INVALID_REQUEST
     */
    Page<Firmware> list(String productId, String nextToken, int limit);

    /** @return the updated firmware, or empty if there is none */
    Optional<Firmware> editDescription(String productId, String version, String description);

    /** @return false if there was nothing to delete */
    boolean delete(String productId, String version);

    /** A multipart upload in progress: S3's upload id and the part layout handed out. */
    record Upload(String uploadId, long partSize, int partCount) {}
}
