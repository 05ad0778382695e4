package dev.ota.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.ReportIntake.Intake;
import dev.ota.protocol.DeviceId;
import dev.ota.protocol.DeviceReport.ProgressReport;
import dev.ota.protocol.DeviceReport.VersionReport;
import dev.ota.protocol.ProtocolJson;
import dev.ota.testing.TestLog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReportIntakeTest {

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final TestLog log = new TestLog("intake");
    private final ReportIntake intake = new ReportIntake(json, log.log());

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String VERSION_EVENT =
            "{\"type\":\"report_version\",\"report\":{\"version\":\"1.0.0\"},\"productId\":\"p1\",\"deviceName\":\"d1\",\"receivedAt\":5}";

    @Test
    void acceptsTheExpectedReport() {
        Intake<VersionReport> in = intake.accept(bytes(VERSION_EVENT), VersionReport.class);

        assertThat(in.rejection()).isNull();
        assertThat(in.report().device()).isEqualTo(new DeviceId("p1", "d1"));
        assertThat(in.report().version()).isEqualTo("1.0.0");
        assertThat(log.lines()).isEmpty();
    }

    @Test
    void rejectsAReportOfTheOtherFunction() {
        Intake<ProgressReport> in = intake.accept(bytes(VERSION_EVENT), ProgressReport.class);

        assertThat(in.report()).isNull();
        assertThat(in.rejection()).isEqualTo("type 'report_version' is not handled by this function");
        assertThat(log.lines()).singleElement().asString()
                .contains("\"event\":\"report_rejected\"")
                .contains("\"device\":\"p1/d1\"");
    }

    @Test
    void rejectsAnInvalidReportNamingTheDevice() {
        String event = VERSION_EVENT.replace("\"1.0.0\"", "\"1.0 0\"");

        Intake<VersionReport> in = intake.accept(bytes(event), VersionReport.class);

        assertThat(in.report()).isNull();
        assertThat(in.rejection()).isEqualTo("report.version must be printable ASCII without spaces");
        assertThat(log.lines()).singleElement().asString()
                .contains("\"level\":\"WARN\"")
                .contains("\"device\":\"p1/d1\"")
                .contains("\"reason\":\"report.version must be printable ASCII without spaces\"");
    }

    @Test
    void rejectsMalformedJsonWithAnUnknownDevice() {
        Intake<VersionReport> in = intake.accept(bytes("{nope"), VersionReport.class);

        assertThat(in.report()).isNull();
        assertThat(in.rejection()).startsWith("malformed JSON");
        assertThat(log.lines()).singleElement().asString().contains("\"device\":\"unknown\"");
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
