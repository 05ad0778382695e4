package dev.ota.aws.s3;

import dev.ota.port.out.DeviceListSource;
import java.io.FilterInputStream;
import java.io.InputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Device-list files in the firmware bucket, read with a ranged GET from the expansion's byte
 * offset. Closing the stream aborts the connection instead of draining the rest of a file that may
 * hold a million names.
 */
public final class S3DeviceListSource implements DeviceListSource {

    private final S3Client s3;
    private final String bucket;

    public S3DeviceListSource(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public long size(String key) {
        try {
            return s3.headObject(r -> r.bucket(bucket).key(key)).contentLength();
        } catch (NoSuchKeyException e) {
            return -1;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 || e.statusCode() == 403) {
                return -1;
            }
            throw e;
        }
    }

    @Override
    public InputStream open(String key, long offset) {
        ResponseInputStream<GetObjectResponse> object;
        try {
            object = s3.getObject(r -> {
                r.bucket(bucket).key(key);
                if (offset > 0) {
                    r.range("bytes=" + offset + "-");
                }
            });
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return InputStream.nullInputStream();
            }
            throw e;
        }
        return new FilterInputStream(object) {
            @Override
            public void close() {
                object.abort();
            }
        };
    }
}
