package dev.ota.port.out;

import dev.ota.domain.CompletedPart;
import java.time.Duration;
import java.util.List;

/**
 * Where operators put firmware bytes: presigned S3 URLs, so the bytes never pass through a
 * function. Adapters turn S3's refusals of a completion into OperatorException INVALID_REQUEST.
 */
public interface FirmwareUploads {

    /** A presigned PUT of the whole object. */
    String presignPut(String key, Duration expiry);

    /** Starts a multipart upload; returns its upload id. */
    String createMultipart(String key);

    String presignPart(String key, String uploadId, int partNumber, Duration expiry);

    void completeMultipart(String key, String uploadId, List<CompletedPart> parts);

    /** Best effort: an upload that is already gone is fine. */
    void abortMultipart(String key, String uploadId);

    /** Deletes the object (in a versioned bucket: adds a delete marker). Absent is fine. */
    void delete(String key);
}
