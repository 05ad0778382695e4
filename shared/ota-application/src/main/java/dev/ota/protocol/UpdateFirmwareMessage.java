package dev.ota.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The cloud's {@code update_firmware} message, field for field as Tencent's cloud sends it:
 * {@code file_size} a JSON number (the Python SDK rejects a string) and {@code md5sum} lowercase
 * hex (the C and Python SDKs compare it case-sensitively).
 */
@JsonPropertyOrder({"file_size", "md5sum", "type", "url", "version"})
public record UpdateFirmwareMessage(
        @JsonProperty("file_size") long fileSize,
        @JsonProperty("md5sum") String md5sum,
        @JsonProperty("url") String url,
        @JsonProperty("version") String version) {

    public static final String TYPE = "update_firmware";

    public UpdateFirmwareMessage {
        if (!md5sum.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("md5sum must be 32 lowercase hex digits");
        }
        if (fileSize < 0) {
            throw new IllegalArgumentException("file_size must not be negative");
        }
    }

    @JsonProperty("type")
    public String type() {
        return TYPE;
    }
}
