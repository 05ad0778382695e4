package dev.ota.local.standin;

import java.net.URI;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.AbortMultipartUploadPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.CompleteMultipartUploadPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.CreateMultipartUploadPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.DeleteObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedAbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedCompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedCreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedDeleteObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedUploadPartRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.UploadPartPresignRequest;

/**
 * The functions' presigner in the local stack. On AWS a presigned GET is virtual-hosted-style,
 * {@code https://{bucket}.s3.{region}.amazonaws.com/{key}?X-Amz-...}; locally s3proxy is path-style
 * only. This signs the path-style request s3proxy will check, then hands out the URL of the
 * bucket's own endpoint ({@link BucketHostEndpoint}): {@code http://127.0.0.1:{port}/{key}?X-Amz-...},
 * the same shape as on AWS. Every other operation is the plain s3proxy presigner's.
 */
public final class BucketHostPresigner implements S3Presigner {

    private final S3Presigner pathStyle;
    private final String bucket;
    private final URI bucketHost;

    public BucketHostPresigner(S3Presigner pathStyle, String bucket, URI bucketHost) {
        this.pathStyle = pathStyle;
        this.bucket = bucket;
        this.bucketHost = bucketHost;
    }

    @Override
    public PresignedGetObjectRequest presignGetObject(GetObjectPresignRequest request) {
        PresignedGetObjectRequest signed = pathStyle.presignGetObject(request);
        SdkHttpRequest http = signed.httpRequest();
        String keyPath = keyPath(http.encodedPath(), bucket);
        if (!request.getObjectRequest().bucket().equals(bucket) || keyPath == null) {
            return signed;
        }
        SdkHttpRequest moved = http.toBuilder()
                .protocol(bucketHost.getScheme())
                .host(bucketHost.getHost())
                .port(bucketHost.getPort())
                .encodedPath(keyPath)
                .build();
        return signed.toBuilder().httpRequest(moved).build();
    }

    /** A path-style URL {@code {s3}/{bucket}/{key}?...} as the bucket endpoint serves it: {@code {bucketHost}/{key}?...}. */
    public static java.net.URI served(java.net.URI pathStyle, String bucket, java.net.URI bucketHost) {
        String keyPath = keyPath(pathStyle.getRawPath(), bucket);
        if (keyPath == null) {
            return pathStyle;
        }
        String query = pathStyle.getRawQuery() == null ? "" : "?" + pathStyle.getRawQuery();
        return java.net.URI.create(bucketHost.getScheme() + "://" + bucketHost.getRawAuthority() + keyPath + query);
    }

    /** {@code /{bucket}/{key}} → {@code /{key}}; null for a path outside the bucket. */
    private static String keyPath(String encodedPath, String bucket) {
        String prefix = "/" + bucket + "/";
        return encodedPath == null || !encodedPath.startsWith(prefix) ? null : encodedPath.substring(prefix.length() - 1);
    }

    @Override
    public PresignedPutObjectRequest presignPutObject(PutObjectPresignRequest request) {
        return pathStyle.presignPutObject(request);
    }

    @Override
    public PresignedDeleteObjectRequest presignDeleteObject(DeleteObjectPresignRequest request) {
        return pathStyle.presignDeleteObject(request);
    }

    @Override
    public PresignedCreateMultipartUploadRequest presignCreateMultipartUpload(CreateMultipartUploadPresignRequest request) {
        return pathStyle.presignCreateMultipartUpload(request);
    }

    @Override
    public PresignedUploadPartRequest presignUploadPart(UploadPartPresignRequest request) {
        return pathStyle.presignUploadPart(request);
    }

    @Override
    public PresignedCompleteMultipartUploadRequest presignCompleteMultipartUpload(CompleteMultipartUploadPresignRequest request) {
        return pathStyle.presignCompleteMultipartUpload(request);
    }

    @Override
    public PresignedAbortMultipartUploadRequest presignAbortMultipartUpload(AbortMultipartUploadPresignRequest request) {
        return pathStyle.presignAbortMultipartUpload(request);
    }

    @Override
    public void close() {
        pathStyle.close();
    }
}
