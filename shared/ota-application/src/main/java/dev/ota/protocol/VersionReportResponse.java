package dev.ota.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * {@code report_version_rsp}: the Python SDK waits for it before it acts on an update, and the
 * Java SDK requires all of result_code (an integer), result_msg and version.
 */
@JsonPropertyOrder({"type", "result_code", "result_msg", "version"})
public record VersionReportResponse(
        @JsonProperty("result_code") int resultCode,
        @JsonProperty("result_msg") String resultMsg,
        @JsonProperty("version") String version) {

    public static final String TYPE = "report_version_rsp";

    public static VersionReportResponse success(String version) {
        return new VersionReportResponse(0, "success", version);
    }

    @JsonProperty("type")
    public String type() {
        return TYPE;
    }
}
