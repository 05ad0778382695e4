package dev.ota.aws.s3;

import dev.ota.domain.DownloadKey;
import dev.ota.domain.InvalidMessageException;
import dev.ota.port.out.FirmwareObjects;
import java.io.InputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Streams firmware objects from the bucket (the caller reads and closes the stream), and copies a
 * registered one to its {@link DownloadKey}.
 */
public final class S3FirmwareObjects implements FirmwareObjects {

    private final S3Client s3;
    private final String bucket;

    public S3FirmwareObjects(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public InputStream open(String key) {
        try {
            return s3.getObject(r -> r.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw new InvalidMessageException("no object '" + key + "' in the firmware bucket");
        }
    }

    /** A server-side copy (CopyObject, up to 5 GB; firmware is at most 1 GB). */
    @Override
    public void publishForDownload(String key, String md5sum) {
        try {
            s3.copyObject(r -> r.sourceBucket(bucket)
                    .sourceKey(key)
                    .destinationBucket(bucket)
                    .destinationKey(DownloadKey.of(key, md5sum)));
        } catch (NoSuchKeyException e) {
            throw new InvalidMessageException("no object '" + key + "' in the firmware bucket");
        }
    }
}
