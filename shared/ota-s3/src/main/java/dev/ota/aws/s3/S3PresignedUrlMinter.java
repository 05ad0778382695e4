package dev.ota.aws.s3;

import dev.ota.domain.DownloadKey;
import dev.ota.domain.FirmwareRef;
import dev.ota.port.out.DownloadUrlMinter;
import java.time.Duration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Presigned GET URLs on the firmware bucket. Each (re)send mints a new one, so a device that
 * resumes after its URL expired gets a working URL for the same bytes and can Range-resume.
 * The URL names the firmware's {@link DownloadKey} (no '/'), so with S3's default
 * virtual-hosted-style addressing its path is a single segment, as Tencent's Python SDK needs.
 */
public final class S3PresignedUrlMinter implements DownloadUrlMinter {

    private final S3Presigner presigner;
    private final String bucket;
    private final Duration expiry;

    public S3PresignedUrlMinter(S3Presigner presigner, String bucket, Duration expiry) {
        if (expiry.isNegative() || expiry.isZero() || expiry.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("URL expiry must be between 1 s and 7 days (SigV4's limit)");
        }
        this.presigner = presigner;
        this.bucket = bucket;
        this.expiry = expiry;
    }

    @Override
    public String mint(FirmwareRef firmware) {
        return presigner.presignGetObject(r -> r.signatureDuration(expiry)
                        .getObjectRequest(g -> g.bucket(bucket).key(DownloadKey.of(firmware.s3Key(), firmware.md5sum()))))
                .url()
                .toString();
    }
}
