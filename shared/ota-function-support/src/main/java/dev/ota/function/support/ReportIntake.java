package dev.ota.function.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport;
import dev.ota.domain.device.ThingName;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.RolloutMetrics;
import dev.ota.protocol.DeviceReportParser;
import dev.ota.protocol.ReportTopic;

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
 *
 * <p>The event is the report event contract of docs/report-events.md, version {@value #EVENT_VERSION}:
 * the device's names come from {@code topic} (read with the report topic template) or, from a rule
 * that projects them itself, from {@code productId} and {@code deviceName}; both, when given, must agree.
 */
public final class ReportIntake {

    /** The version of the report event contract this intake reads (docs/report-events.md). */
    public static final int EVENT_VERSION = 1;

    public static final String REPORT_TOPIC_TEMPLATE = "REPORT_TOPIC_TEMPLATE";
    public static final String REPORT_PRODUCT_ID = "REPORT_PRODUCT_ID";

    private final DeviceReportParser parser;
    private final StructuredLog log;
    private final ReportTopic topic;

    private final RolloutMetrics metrics;

    /** For the default report topic, {@value ReportTopic#DEFAULT_TEMPLATE}, and no metrics. */
    public ReportIntake(ObjectMapper json, StructuredLog log) {
        this(json, log, ReportTopic.defaults(), RolloutMetrics.NONE);
    }

    public ReportIntake(ObjectMapper json, StructuredLog log, ReportTopic topic) {
        this(json, log, topic, RolloutMetrics.NONE);
    }

    public ReportIntake(ObjectMapper json, StructuredLog log, ReportTopic topic, RolloutMetrics metrics) {
        this.parser = new DeviceReportParser(json);
        this.log = log;
        this.topic = topic;
        this.metrics = metrics;
    }

    /** The report topic template.yaml sets ({@code REPORT_TOPIC_TEMPLATE}, {@code REPORT_PRODUCT_ID}). */
    public static ReportTopic reportTopic(Environment env) {
        try {
            return ReportTopic.of(
                    env.text(REPORT_TOPIC_TEMPLATE, ReportTopic.DEFAULT_TEMPLATE), env.optional(REPORT_PRODUCT_ID));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("environment variable " + REPORT_TOPIC_TEMPLATE + ": " + e.getMessage(), e);
        }
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
            requireKnownVersion(root);
            namesFromTopic((ObjectNode) root);
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
            // No metric for an accepted report: one EMF document per report costs more than the
            // report's write, and AWS/Lambda Invocations of the two report functions count them free.
            return new Intake<>(expected.cast(report), null);
        } catch (InvalidMessageException e) {
            log.warn("report_rejected", "device", DeviceReportParser.deviceOf(root), "reason", e.getMessage());
            metrics.reportRejected(typeOf(root), "invalid");
            return new Intake<>(null, e.getMessage());
        }
    }

    private static void requireKnownVersion(JsonNode event) {
        JsonNode version = event.get("eventVersion");
        if (version != null
                && !(version.canConvertToInt() && version.asInt() == EVENT_VERSION)
                && !version.asText().equals(String.valueOf(EVENT_VERSION))) {
            throw new InvalidMessageException(
                    "eventVersion " + version + " is not supported (this function reads " + EVENT_VERSION + ")");
        }
    }

    /** Sets productId and deviceName from the event's topic, if it has one; explicit names must agree. */
    private void namesFromTopic(ObjectNode event) {
        JsonNode topicNode = event.get("topic");
        if (topicNode == null || topicNode.isNull()) {
            return;
        }
        if (!topicNode.isTextual()) {
            throw new InvalidMessageException("topic is not a string");
        }
        DeviceId fromTopic = topic.deviceOf(topicNode.asText());
        agree(event, "productId", fromTopic.productId());
        agree(event, "deviceName", fromTopic.deviceName());
        event.put("productId", fromTopic.productId());
        event.put("deviceName", fromTopic.deviceName());
    }

    private static void agree(JsonNode event, String field, String fromTopic) {
        JsonNode given = event.get(field);
        if (given != null && !given.isNull() && !given.asText().equals(fromTopic)) {
            throw new InvalidMessageException(
                    field + " '" + given.asText() + "' contradicts the topic's '" + fromTopic + "'");
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
