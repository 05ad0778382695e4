package dev.ota.function.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceReport;
import dev.ota.domain.device.ThingName;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.RolloutMetrics;
import dev.ota.protocol.DeviceReportParser;

/**
 * The front door of the rule-triggered functions: a bad event is rejected with one structured log
 * line naming the device and the reason, and nothing else happens. It is not an error for Lambda,
 * since retrying a bad message cannot make it good.
 *
 * <p>It is also the second identity wall (the device policy is the first): a report is accepted
 * only from the device its topic names. The rule projects the publisher's MQTT client id
 * ({@code clientid() AS clientId}), and a device's client id is its thing name,
 * {@link ThingName#of} the topic's productId and deviceName. A report whose client id is any
 * other is refused and logged with both identities ({@code clientId} and {@code deviceClientId}), so a fleet
 * whose IoT policy is broader than the template's still cannot speak for another device.
 */
public final class ReportIntake {

    private final DeviceReportParser parser;
    private final StructuredLog log;

    private final RolloutMetrics metrics;

    public ReportIntake(ObjectMapper json, StructuredLog log) {
        this(json, log, RolloutMetrics.NONE);
    }

    public ReportIntake(ObjectMapper json, StructuredLog log, RolloutMetrics metrics) {
        this.parser = new DeviceReportParser(json);
        this.log = log;
        this.metrics = metrics;
    }

    /** The report type as a metric dimension: the two the protocol has, anything else as one value (cardinality). */
    private static String typeOf(JsonNode root) {
        String type = root == null ? "" : root.path("type").asText();
        return type.equals("report_version") || type.equals("report_progress") ? type : "other";
    }

    public record Intake<T extends DeviceReport>(T report, String rejection) {}

    public <T extends DeviceReport> Intake<T> accept(byte[] event, Class<T> expected) {
        JsonNode root = null;
        try {
            root = parser.readObject(event);
            DeviceReport report = parser.parse(root);
            StructuredLog.context("device", report.device().key());
            if (!expected.isInstance(report)) {
                throw new InvalidMessageException(
                        "type '" + root.path("type").asText() + "' is not handled by this function");
            }
            String refused = identityRefusal(root, report);
            if (refused != null) {
                metrics.reportRejected(typeOf(root), "identity");
                return new Intake<>(null, refused);
            }
            metrics.reportAccepted(typeOf(root));
            return new Intake<>(expected.cast(report), null);
        } catch (InvalidMessageException e) {
            log.warn("report_rejected", "device", DeviceReportParser.deviceOf(root), "reason", e.getMessage());
            metrics.reportRejected(typeOf(root), "invalid");
            return new Intake<>(null, e.getMessage());
        }
    }

    /** Null when the publishing client is the device the topic names; else the reason, logged. */
    private String identityRefusal(JsonNode event, DeviceReport report) {
        JsonNode client = event.get("clientId");
        String clientId = client == null || client.isNull() ? null : client.asText();
        String expected = ThingName.of(report.device()).value();
        if (expected.equals(clientId)) {
            return null;
        }
        String reason = clientId == null || clientId.isEmpty()
                ? "clientId is missing (the rule must project clientid() AS clientId)"
                : "client '" + clientId + "' may not report for device "
                        + report.device().key() + " (its client id is '" + expected + "')";
        log.warn(
                "report_rejected",
                "device",
                report.device().key(),
                "deviceClientId",
                expected,
                "clientId",
                clientId == null ? "" : clientId,
                "reason",
                reason);
        return reason;
    }
}
