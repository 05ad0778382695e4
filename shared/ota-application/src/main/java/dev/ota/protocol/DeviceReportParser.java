package dev.ota.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport;
import dev.ota.domain.device.DeviceReport.ProgressReport;
import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.domain.device.FirmwareVersion;
import dev.ota.domain.device.ProgressState;
import dev.ota.domain.device.ResultCode;
import java.io.IOException;
import java.time.Instant;

/**
 * Validates the event an IoT rule produces from a device message and turns it into a
 * {@link DeviceReport}. Every rejection is an {@link InvalidMessageException} with a reason.
 *
 * <p>Devices send every value as a JSON string ({@code "percent":"23"}); other firmware sends
 * numbers. Both are accepted, but only when they hold a whole number.
 */
public final class DeviceReportParser {

    /** AWS IoT's payload limit; the rule adds a few small fields on top. */
    public static final int MAX_EVENT_BYTES = 128 * 1024 + 1024;

    public static final int MAX_RESULT_MSG = 256;

    public static final String TYPE_REPORT_VERSION = "report_version";
    public static final String TYPE_REPORT_PROGRESS = "report_progress";

    private final ObjectMapper json;

    public DeviceReportParser(ObjectMapper json) {
        this.json = json;
    }

    public DeviceReport parse(byte[] event) {
        return parse(readObject(event));
    }

    /** Reads the device identity alone, so that a rejection can still name the device. */
    public static String deviceOf(JsonNode event) {
        if (event == null || !event.isObject()) {
            return "unknown";
        }
        return event.path("productId").asText("?") + "/"
                + event.path("deviceName").asText("?");
    }

    public JsonNode readObject(byte[] event) {
        if (event.length > MAX_EVENT_BYTES) {
            throw new InvalidMessageException(
                    "event is " + event.length + " bytes, over the " + MAX_EVENT_BYTES + " limit");
        }
        JsonNode root;
        try {
            root = json.readTree(event);
        } catch (JsonProcessingException e) {
            throw new InvalidMessageException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidMessageException("unreadable event: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidMessageException("event is not a JSON object");
        }
        return root;
    }

    public DeviceReport parse(JsonNode event) {
        DeviceId device = new DeviceId(text(event, "productId"), text(event, "deviceName"));
        requireClaimMatches(event, "claimedProductId", device.productId());
        requireClaimMatches(event, "claimedDeviceName", device.deviceName());
        Instant receivedAt = receivedAt(event);
        String type = text(event, "type");
        JsonNode report = object(event, "report");
        return switch (type) {
            case TYPE_REPORT_VERSION ->
                new VersionReport(
                        device, receivedAt, FirmwareVersion.require("report.version", text(report, "version")));
            case TYPE_REPORT_PROGRESS -> progress(device, receivedAt, report);
            default -> throw new InvalidMessageException("unknown type '" + type + "'");
        };
    }

    private static ProgressReport progress(DeviceId device, Instant receivedAt, JsonNode report) {
        String version = FirmwareVersion.require("report.version", text(report, "version"));
        JsonNode progress = object(report, "progress");
        ProgressState state = ProgressState.fromWire(text(progress, "state"));
        Integer percent = optionalWholeNumber(progress, "percent");
        if (percent != null && (percent < 0 || percent > 100)) {
            throw new InvalidMessageException("percent " + percent + " is outside 0..100");
        }
        Integer code = optionalWholeNumber(progress, "result_code");
        int resultCode = code == null ? 0 : code;
        if (state == ProgressState.FAIL) {
            if (code == null) {
                throw new InvalidMessageException("fail report without result_code");
            }
            ResultCode.of(resultCode);
        } else if (resultCode != 0) {
            throw new InvalidMessageException("result_code " + resultCode + " with state " + state.wire());
        }
        String resultMsg = optionalText(progress, "result_msg");
        if (resultMsg != null && resultMsg.length() > MAX_RESULT_MSG) {
            throw new InvalidMessageException("result_msg is longer than " + MAX_RESULT_MSG + " characters");
        }
        return new ProgressReport(
                device, receivedAt, version, state, percent, resultCode, resultMsg == null ? "" : resultMsg);
    }

    private static void requireClaimMatches(JsonNode event, String field, String fromTopic) {
        JsonNode claimed = event.get(field);
        if (claimed != null && !claimed.isNull() && !fromTopic.equals(claimed.asText())) {
            throw new InvalidMessageException(
                    field + " '" + claimed.asText() + "' does not match the topic's '" + fromTopic + "'");
        }
    }

    private static Instant receivedAt(JsonNode event) {
        JsonNode at = event.get("receivedAt");
        if (at == null || !at.canConvertToLong() || !at.isIntegralNumber()) {
            throw new InvalidMessageException(
                    "receivedAt is missing or not epoch milliseconds (the rule must project timestamp() AS receivedAt)");
        }
        return Instant.ofEpochMilli(at.asLong());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidMessageException(field + " is missing");
        }
        if (!value.isTextual()) {
            throw new InvalidMessageException(field + " must be a string");
        }
        return value.textValue();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidMessageException(field + " must be a string");
        }
        return value.textValue();
    }

    private static JsonNode object(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isObject()) {
            throw new InvalidMessageException(field + " must be an object");
        }
        return value;
    }

    /** A whole number sent as a JSON number or as a string of digits; null when absent. */
    private static Integer optionalWholeNumber(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            return value.intValue();
        }
        if (value.isTextual()) {
            String text = value.textValue().trim();
            if (text.matches("-?\\d{1,9}")) {
                return Integer.parseInt(text);
            }
        }
        throw new InvalidMessageException(
                field + " must be a whole number or a string of one, got " + abbreviate(value.toString()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
