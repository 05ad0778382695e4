package dev.ota.function.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.log.StructuredLog;
import dev.ota.domain.device.DeviceReport;
import dev.ota.protocol.DeviceReportParser;
import dev.ota.domain.InvalidMessageException;

/**
 * The front door of the rule-triggered functions: a bad event is rejected with one structured log
 * line naming the device and the reason, and nothing else happens. It is not an error for Lambda,
 * since retrying a bad message cannot make it good.
 */
public final class ReportIntake {

    private final DeviceReportParser parser;
    private final StructuredLog log;

    public ReportIntake(ObjectMapper json, StructuredLog log) {
        this.parser = new DeviceReportParser(json);
        this.log = log;
    }

    public record Intake<T extends DeviceReport>(T report, String rejection) {}

    public <T extends DeviceReport> Intake<T> accept(byte[] event, Class<T> expected) {
        JsonNode root = null;
        try {
            root = parser.readObject(event);
            DeviceReport report = parser.parse(root);
            if (!expected.isInstance(report)) {
                throw new InvalidMessageException("type '" + root.path("type").asText() + "' is not handled by this function");
            }
            return new Intake<>(expected.cast(report), null);
        } catch (InvalidMessageException e) {
            log.warn("report_rejected", "device", DeviceReportParser.deviceOf(root), "reason", e.getMessage());
            return new Intake<>(null, e.getMessage());
        }
    }
}
