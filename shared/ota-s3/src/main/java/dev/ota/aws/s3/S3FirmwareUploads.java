package dev.ota.aws.s3;

import dev.ota.domain.CompletedPart;
import dev.ota.domain.OperatorException;
import dev.ota.port.out.FirmwareUploads;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Firmware uploads straight into the bucket: presigned PUT and UploadPart URLs signed with the
 * function's credentials, so the bytes never pass through Lambda or API Gateway.
 */
public final class S3FirmwareUploads implements FirmwareUploads {

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    public S3FirmwareUploads(S3Client s3, S3Presigner presigner, String bucket) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
    }

    @Override
    public String presignPut(String key, Duration expiry) {
        return presigner
                .presignPutObject(r -> r.signatureDuration(expiry)
                        .putObjectRequest(p -> p.bucket(bucket).key(key)))
                .url()
                .toString();
    }

    @Override
    public String createMultipart(String key) {
        return s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
    }

    @Override
    public String presignPart(String key, String uploadId, int partNumber, Duration expiry) {
        return presigner
                .presignUploadPart(r -> r.signatureDuration(expiry)
                        .uploadPartRequest(u ->
                                u.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)))
                .url()
                .toString();
    }

    @Override
    public void completeMultipart(String key, String uploadId, List<CompletedPart> parts) {
        CompletedMultipartUpload upload = CompletedMultipartUpload.builder()
                .parts(parts.stream()
                        .map(p -> software.amazon.awssdk.services.s3.model.CompletedPart.builder()
                                .partNumber(p.partNumber())
                                .eTag(p.etag())
                                .build())
                        .toList())
                .build();
        try {
            s3.completeMultipartUpload(
                    r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(upload));
        } catch (NoSuchUploadException e) {
            throw new OperatorException(
                    OperatorException.Code.NOT_FOUND,
                    "S3 has no upload " + uploadId + " (it was completed, aborted, or expired after 7 days)");
        } catch (S3Exception e) {
            if (e.statusCode() >= 400 && e.statusCode() < 500) {
                String code = e.awsErrorDetails() == null
                        ? String.valueOf(e.statusCode())
                        : e.awsErrorDetails().errorCode();
                String message = e.awsErrorDetails() == null
                        ? e.getMessage()
                        : e.awsErrorDetails().errorMessage();
                throw new OperatorException(
                        OperatorException.Code.INVALID_REQUEST,
                        "S3 refused to complete the upload: " + code + (message == null ? "" : " (" + message + ")"));
            }
            throw e;
        }
    }

    @Override
    public void abortMultipart(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
        } catch (NoSuchUploadException gone) {
            // already completed or aborted
        }
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(r -> r.bucket(bucket).key(key));
    }
}
