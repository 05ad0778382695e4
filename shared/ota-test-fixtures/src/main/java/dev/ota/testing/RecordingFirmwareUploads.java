package dev.ota.testing;

import dev.ota.domain.CompletedPart;
import dev.ota.port.out.FirmwareUploads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Hands out fake URLs and records every call, in order. */
public final class RecordingFirmwareUploads implements FirmwareUploads {

    public final List<String> calls = new ArrayList<>();
    private int uploads;

    @Override
    public String presignPut(String key, Duration expiry) {
        calls.add("presignPut " + key);
        return "https://s3.test/" + key + "?X-Amz-Expires=" + expiry.toSeconds();
    }

    @Override
    public String createMultipart(String key) {
        String id = "upload-" + (++uploads);
        calls.add("createMultipart " + key + " -> " + id);
        return id;
    }

    @Override
    public String presignPart(String key, String uploadId, int partNumber, Duration expiry) {
        return "https://s3.test/" + key + "?uploadId=" + uploadId + "&partNumber=" + partNumber;
    }

    @Override
    public void completeMultipart(String key, String uploadId, List<CompletedPart> parts) {
        calls.add("completeMultipart " + key + " " + uploadId + " " + parts.size());
    }

    @Override
    public void abortMultipart(String key, String uploadId) {
        calls.add("abortMultipart " + key + " " + uploadId);
    }

    @Override
    public void delete(String key) {
        calls.add("delete " + key);
    }
}
