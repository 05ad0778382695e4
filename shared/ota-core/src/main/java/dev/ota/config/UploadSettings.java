package dev.ota.config;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

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

    public static UploadSettings fromEnvironment() {
        return from(System::getenv);
    }

    public static UploadSettings from(Map<String, String> values) {
        return from(values::get);
    }

    private static UploadSettings from(Function<String, String> env) {
        return new UploadSettings(
                number(env, "UPLOAD_MULTIPART_THRESHOLD_MIB", 64) * MIB,
                number(env, "UPLOAD_PART_SIZE_MIB", 16) * MIB,
                Duration.ofSeconds(number(env, "UPLOAD_URL_EXPIRY_SECONDS", 3600)));
    }

    private static long number(Function<String, String> env, String name, long fallback) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " is not a whole number: " + value);
        }
    }
}
