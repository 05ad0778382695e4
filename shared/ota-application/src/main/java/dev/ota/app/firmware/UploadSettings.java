package dev.ota.app.firmware;

import java.time.Duration;

/**
 * How firmware uploads are handed out (management API). Files above the multipart threshold get a
 * multipart upload with one presigned URL per part.
 *
 * @param multipartThreshold largest file handed one presigned PUT (bytes)
 * @param partSize size of every part but the last (bytes); S3 needs at least 5 MiB
 * @param urlExpiry lifetime of the presigned upload URLs
 */
public record UploadSettings(long multipartThreshold, long partSize, Duration urlExpiry) {

    public static final long MIB = 1024L * 1024;
    /** S3's smallest part (every part but the last). */
    public static final long MIN_PART_SIZE = 5 * MIB;
    /** S3's largest part count. */
    public static final int MAX_PARTS = 10_000;

    public static final UploadSettings DEFAULTS = new UploadSettings(64 * MIB, 16 * MIB, Duration.ofHours(1));

    public UploadSettings {
        if (multipartThreshold < 1) {
            throw new IllegalArgumentException("multipart threshold must be at least 1 byte");
        }
        if (partSize < MIN_PART_SIZE || partSize > 5L * 1024 * MIB) {
            throw new IllegalArgumentException("part size must be 5 MiB..5 GiB");
        }
        if (urlExpiry.isNegative() || urlExpiry.isZero() || urlExpiry.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("upload URL expiry must be between 1 s and 7 days (SigV4's limit)");
        }
    }
}
