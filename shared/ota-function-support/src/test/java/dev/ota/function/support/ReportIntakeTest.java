package dev.ota.function.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport.ProgressReport;
import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.function.support.ReportIntake.Intake;
import dev.ota.log.StructuredLog;
import dev.ota.protocol.ProtocolJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportIntakeTest {

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final ReportIntake intake = new ReportIntake(
            json, new StructuredLog(json, new PrintStream(logged, true, StandardCharsets.UTF_8), "intake"));

    private List<String> logLines() {
        String text = logged.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\\R"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String VERSION_EVENT =
            "{\"type\":\"report_version\",\"report\":{\"version\":\"1.0.0\"},\"productId\":\"p1\",\"deviceName\":\"d1\",\"clientId\":\"p1::d1\",\"receivedAt\":5}";

    @Test
    void acceptsTheExpectedReport() {
        Intake<VersionReport> in = intake.accept(bytes(VERSION_EVENT), VersionReport.class);

        assertThat(in.rejection()).isNull();
        assertThat(in.report().device()).isEqualTo(new DeviceId("p1", "d1"));
        assertThat(in.report().version()).isEqualTo("1.0.0");
        assertThat(logLines()).isEmpty();
    }

    @Test
    void rejectsAReportOfTheOtherFunction() {
        Intake<ProgressReport> in = intake.accept(bytes(VERSION_EVENT), ProgressReport.class);

        assertThat(in.report()).isNull();
        assertThat(in.rejection()).isEqualTo("type 'report_version' is not handled by this function");
        assertThat(logLines())
                .singleElement()
                .asString()
                .contains("\"event\":\"report_rejected\"")
                .contains("\"device\":\"p1/d1\"");
    }

    @Test
    void rejectsAnInvalidReportNamingTheDevice() {
        String event = VERSION_EVENT.replace("\"1.0.0\"", "\"1.0 0\"");

        Intake<VersionReport> in = intake.accept(bytes(event), VersionReport.class);

        assertThat(in.report()).isNull();
        assertThat(in.rejection()).isEqualTo("report.version must be printable ASCII without spaces");
        assertThat(logLines())
                .singleElement()
                .asString()
                .contains("\"level\":\"WARN\"")
                .contains("\"device\":\"p1/d1\"")
                .contains("\"reason\":\"report.version must be printable ASCII without spaces\"");
    }

    @Test
    void rejectsMalformedJsonWithAnUnknownDevice() {
        Intake<VersionReport> in = intake.accept(bytes("{nope"), VersionReport.class);

        assertThat(in.report()).isNull();
        assertThat(in.rejection()).startsWith("malformed JSON");
        assertThat(logLines()).singleElement().asString().contains("\"device\":\"unknown\"");
    }

    @Test
    void refusesAReportFromAnotherDevicesClientLoggingBothIdentities() {
        String event = VERSION_EVENT.replace("\"clientId\":\"p1::d1\"", "\"clientId\":\"p1::d2\"");

        Intake<VersionReport> in = intake.accept(bytes(event), VersionReport.class);

        assertThat(in.report()).isNull();
        assertThat(in.rejection())
                .isEqualTo("client 'p1::d2' may not report for device p1/d1 (its client id is 'p1::d1')");
        assertThat(logLines())
                .singleElement()
                .asString()
                .contains("\"event\":\"report_rejected\"")
                .contains("\"device\":\"p1/d1\"")
                .contains("\"clientId\":\"p1::d2\"")
                .contains("\"deviceClientId\":\"p1::d1\"");
    }

    @Test
    void refusesTencentsConcatenatedClientIdAndAMissingOne() {
        Intake<VersionReport> tencent =
                intake.accept(bytes(VERSION_EVENT.replace("p1::d1", "p1d1")), VersionReport.class);
        Intake<VersionReport> none =
                intake.accept(bytes(VERSION_EVENT.replace("\"clientId\":\"p1::d1\",", "")), VersionReport.class);

        assertThat(tencent.rejection()).startsWith("client 'p1d1' may not report for device p1/d1");
        assertThat(none.rejection()).isEqualTo("clientId is missing (the rule must project clientid() AS clientId)");
        assertThat(logLines()).hasSize(2);
    }

    @Test
    void takesTheNamesFromTheTopicThroughTheTemplate() {
        ReportIntake estate = new ReportIntake(
                json,
                new StructuredLog(json, new PrintStream(logged, true, StandardCharsets.UTF_8), "intake"),
                dev.ota.protocol.ReportTopic.of("fleet/{deviceName}/ota", "ACME"));
        String event =
                "{\"type\":\"report_version\",\"report\":{\"version\":\"1.0.0\"},\"topic\":\"fleet/d1/ota\",\"clientId\":\"ACME::d1\",\"receivedAt\":5}";

        Intake<VersionReport> in = estate.accept(bytes(event), VersionReport.class);

        assertThat(in.rejection()).isNull();
        assertThat(in.report().device()).isEqualTo(new DeviceId("ACME", "d1"));
        assertThat(estate.accept(bytes(event.replace("fleet/d1/ota", "fleet/d1/other")), VersionReport.class)
                        .rejection())
                .isEqualTo("topic 'fleet/d1/other' does not match the report topic template 'fleet/{deviceName}/ota'");
        assertThat(estate.accept(
                                bytes(event.replace("\"topic\"", "\"deviceName\":\"d2\",\"topic\"")),
                                VersionReport.class)
                        .rejection())
                .isEqualTo("deviceName 'd2' contradicts the topic's 'd1'");
    }

    @Test
    void readsOnlyItsVersionOfTheEventContract() {
        assertThat(intake.accept(
                                bytes(VERSION_EVENT.replace("{\"type\"", "{\"eventVersion\":1,\"type\"")),
                                VersionReport.class)
                        .rejection())
                .isNull();
        assertThat(intake.accept(
                                bytes(VERSION_EVENT.replace("{\"type\"", "{\"eventVersion\":2,\"type\"")),
                                VersionReport.class)
                        .rejection())
                .isEqualTo("eventVersion 2 is not supported (this function reads 1)");
    }

    @Test
    void handlerResponses() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HandlerResponse.outcome(json, out, "APPLIED");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"outcome\":\"APPLIED\"}");

        out.reset();
        HandlerResponse.rejected(json, out, "percent 101 is outside 0..100");
        JsonNode node = json.readTree(out.toByteArray());
        assertThat(node.get("outcome").asText()).isEqualTo("REJECTED");
        assertThat(node.get("reason").asText()).isEqualTo("percent 101 is outside 0..100");
    }
}
