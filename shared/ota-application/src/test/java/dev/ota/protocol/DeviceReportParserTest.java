package dev.ota.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport;
import dev.ota.domain.device.DeviceReport.ProgressReport;
import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.domain.device.ProgressState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Events as the IoT rule hands them over:
 * {@code SELECT *, topic(3) AS productId, topic(4) AS deviceName, clientid() AS clientId,
 * timestamp() AS receivedAt}, with the payload's own productId/deviceName (if any) projected as
 * claimedProductId/claimedDeviceName.
 */
class DeviceReportParserTest {

    private static final long AT = 1_700_000_000_123L;
    private static final String ENVELOPE =
            "\"productId\":\"p1\",\"deviceName\":\"dev-1\",\"clientId\":\"dev-1\",\"receivedAt\":" + AT;

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final DeviceReportParser parser = new DeviceReportParser(json);

    private DeviceReport parse(String event) {
        return parser.parse(event.getBytes(StandardCharsets.UTF_8));
    }

    private DeviceReport parse(JsonNode event) {
        return parse(event.toString());
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String event) {
        return assertThatThrownBy(() -> parse(event)).isInstanceOf(InvalidMessageException.class);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(JsonNode event) {
        return assertRejected(event.toString());
    }

    private ObjectNode versionEvent(String version) {
        ObjectNode e = envelope();
        e.put("type", "report_version");
        e.putObject("report").put("version", version);
        return e;
    }

    private ObjectNode progressEvent(String state) {
        ObjectNode e = envelope();
        e.put("type", "report_progress");
        ObjectNode report = e.putObject("report");
        ObjectNode progress = report.putObject("progress");
        progress.put("state", state);
        progress.put("result_code", "0");
        progress.put("result_msg", "");
        report.put("version", "0.2");
        return e;
    }

    private ObjectNode envelope() {
        ObjectNode e = json.createObjectNode();
        e.put("productId", "p1");
        e.put("deviceName", "dev-1");
        e.put("clientId", "dev-1");
        e.put("receivedAt", AT);
        return e;
    }

    private static ObjectNode progressOf(ObjectNode event) {
        return (ObjectNode) event.get("report").get("progress");
    }

    @Nested
    class Accepted {

        @Test
        void reportVersionAsTheSeedDocumentShowsIt() {
            DeviceReport report =
                    parse("{\"type\":\"report_version\",\"report\":{\"version\":\"0.1\"}," + ENVELOPE + "}");

            assertThat(report)
                    .isEqualTo(new VersionReport(new DeviceId("p1", "dev-1"), Instant.ofEpochMilli(AT), "0.1"));
        }

        @Test
        void reportVersionAsTheSdksSendIt() {
            VersionReport report = (VersionReport)
                    parse("{\"type\":\"report_version\",\"report\":{\"version\":\"1.0.0\"}," + ENVELOPE + "}");

            assertThat(report.version()).isEqualTo("1.0.0");
            assertThat(report.device().key()).isEqualTo("p1/dev-1");
            assertThat(report.receivedAt()).isEqualTo(Instant.ofEpochMilli(AT));
        }

        @Test
        void downloadingWithStringValuesAsTheSeedDocumentShowsIt() {
            DeviceReport report = parse("""
                    {"type":"report_progress","report":{"progress":{"state":"downloading","percent":"10","result_code":"0","result_msg":""},"version":"0.2"},%s}
                    """.formatted(ENVELOPE));

            assertThat(report)
                    .isEqualTo(new ProgressReport(
                            new DeviceId("p1", "dev-1"),
                            Instant.ofEpochMilli(AT),
                            "0.2",
                            ProgressState.DOWNLOADING,
                            10,
                            0,
                            ""));
        }

        @Test
        void burningCarriesNoPercent() {
            ProgressReport report = (ProgressReport) parse("""
                    {"type":"report_progress","report":{"progress":{"state":"burning","result_code":"0","result_msg":""},"version":"0.2"},%s}
                    """.formatted(ENVELOPE));

            assertThat(report.state()).isEqualTo(ProgressState.BURNING);
            assertThat(report.percent()).isNull();
            assertThat(report.resultCode()).isZero();
            assertThat(report.version()).isEqualTo("0.2");
        }

        @Test
        void done() {
            ProgressReport report = (ProgressReport) parse("""
                    {"type":"report_progress","report":{"progress":{"state":"done","result_code":"0","result_msg":""},"version":"0.2"},%s}
                    """.formatted(ENVELOPE));

            assertThat(report.state()).isEqualTo(ProgressState.DONE);
            assertThat(report.percent()).isNull();
            assertThat(report.resultCode()).isZero();
        }

        @Test
        void failAsTheSeedDocumentShowsIt() {
            ProgressReport report = (ProgressReport) parse("""
                    {"type":"report_progress","report":{"progress":{"state":"fail","result_code":"-1","result_msg":"time_out"},"version":"0.2"},%s}
                    """.formatted(ENVELOPE));

            assertThat(report.state()).isEqualTo(ProgressState.FAIL);
            assertThat(report.resultCode()).isEqualTo(-1);
            assertThat(report.resultMsg()).isEqualTo("time_out");
        }

        @ParameterizedTest
        @ValueSource(ints = {-1, -2, -3, -4, -5})
        void failWithEachDocumentedCode(int code) {
            ObjectNode e = progressEvent("fail");
            progressOf(e).put("result_code", String.valueOf(code));

            assertThat(((ProgressReport) parse(e)).resultCode()).isEqualTo(code);
        }

        @Test
        void numbersAreAcceptedAsWellAsStrings() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", 23);
            progressOf(e).put("result_code", 0);

            ProgressReport report = (ProgressReport) parse(e);
            assertThat(report.percent()).isEqualTo(23);
            assertThat(report.resultCode()).isZero();

            ObjectNode fail = progressEvent("fail");
            progressOf(fail).put("result_code", -4);
            assertThat(((ProgressReport) parse(fail)).resultCode()).isEqualTo(-4);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 99, 100})
        void percentBoundsAreInclusive(int percent) {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", String.valueOf(percent));

            assertThat(((ProgressReport) parse(e)).percent()).isEqualTo(percent);
        }

        @Test
        void resultCodeAndMessageMayBeAbsentOutsideFail() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).remove("result_code");
            progressOf(e).remove("result_msg");
            progressOf(e).put("percent", "0");

            ProgressReport report = (ProgressReport) parse(e);
            assertThat(report.resultCode()).isZero();
            assertThat(report.resultMsg()).isEmpty();
            assertThat(report.percent()).isZero();
        }

        @Test
        void downloadingWithoutPercentHasNullPercent() {
            ProgressReport report = (ProgressReport) parse(progressEvent("downloading"));

            assertThat(report.percent()).isNull();
        }

        @Test
        void resultMsgOfExactly256CharactersIsAccepted() {
            ObjectNode e = progressEvent("fail");
            progressOf(e).put("result_code", "-5");
            progressOf(e).put("result_msg", "m".repeat(256));

            assertThat(((ProgressReport) parse(e)).resultMsg()).hasSize(256);
        }

        @Test
        void versionOfExactly32CharactersIsAccepted() {
            String v = "1".repeat(32);
            assertThat(((VersionReport) parse(versionEvent(v))).version()).isEqualTo(v);
        }

        @Test
        void claimsThatMatchTheTopicAreAccepted() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("claimedProductId", "p1");
            e.put("claimedDeviceName", "dev-1");

            assertThat(parse(e).device()).isEqualTo(new DeviceId("p1", "dev-1"));
        }

        @Test
        void nullClaimsAreTreatedAsAbsent() {
            ObjectNode e = versionEvent("1.0.0");
            e.putNull("claimedProductId");
            e.putNull("claimedDeviceName");

            assertThat(parse(e).device()).isEqualTo(new DeviceId("p1", "dev-1"));
        }

        @Test
        void unknownExtraFieldsAreIgnored() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("somethingNew", 1);
            ((ObjectNode) e.get("report")).put("extra", "x");

            assertThat(((VersionReport) parse(e)).version()).isEqualTo("1.0.0");
        }

        @Test
        void anEventJustUnderTheSizeLimitIsParsed() {
            ObjectNode e = versionEvent("1.0.0");
            int base = e.toString().getBytes(StandardCharsets.UTF_8).length;
            e.put("padding", "");
            int withEmptyPadding = e.toString().getBytes(StandardCharsets.UTF_8).length;
            e.put("padding", "x".repeat(DeviceReportParser.MAX_EVENT_BYTES - withEmptyPadding));

            assertThat(e.toString().getBytes(StandardCharsets.UTF_8)).hasSize(DeviceReportParser.MAX_EVENT_BYTES);
            assertThat(base).isLessThan(DeviceReportParser.MAX_EVENT_BYTES);
            assertThat(((VersionReport) parse(e)).version()).isEqualTo("1.0.0");
        }
    }

    @Nested
    class RejectedEnvelope {

        @Test
        void malformedJson() {
            assertRejected("{\"type\":\"report_version\",").hasMessageStartingWith("malformed JSON");
            assertRejected("not json at all").hasMessageStartingWith("malformed JSON");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "[{\"type\":\"report_version\"}]", "\"report_version\"", "42", "null", "true"})
        void nonObject(String event) {
            assertRejected(event).hasMessage("event is not a JSON object");
        }

        @Test
        void emptyEventIsNotAnObject() {
            assertThatThrownBy(() -> parser.parse(new byte[0]))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("event is not a JSON object");
        }

        @Test
        void duplicateKeysAreRejected() {
            assertRejected("{\"type\":\"report_version\",\"type\":\"report_progress\",\"report\":{\"version\":\"1\"},"
                            + ENVELOPE + "}")
                    .hasMessageStartingWith("malformed JSON")
                    .hasMessageContaining("type");
        }

        @Test
        void eventOverTheSizeLimit() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("padding", "");
            int withEmptyPadding = e.toString().getBytes(StandardCharsets.UTF_8).length;
            e.put("padding", "x".repeat(DeviceReportParser.MAX_EVENT_BYTES - withEmptyPadding + 1));
            byte[] bytes = e.toString().getBytes(StandardCharsets.UTF_8);
            assertThat(bytes).hasSize(DeviceReportParser.MAX_EVENT_BYTES + 1);

            assertThatThrownBy(() -> parser.parse(bytes))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessage("event is " + bytes.length + " bytes, over the " + DeviceReportParser.MAX_EVENT_BYTES
                            + " limit");
        }

        @Test
        void sizeLimitIsCheckedBeforeParsing() {
            byte[] garbage = new byte[DeviceReportParser.MAX_EVENT_BYTES + 10];

            assertThatThrownBy(() -> parser.parse(garbage))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessageContaining("over the " + DeviceReportParser.MAX_EVENT_BYTES + " limit");
        }

        @Test
        void missingType() {
            ObjectNode e = versionEvent("1.0.0");
            e.remove("type");
            assertRejected(e).hasMessage("type is missing");
        }

        @Test
        void typeThatIsNotAString() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("type", 1);
            assertRejected(e).hasMessage("type must be a string");
        }

        @Test
        void unknownType() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("type", "report_foo");
            assertRejected(e).hasMessage("unknown type 'report_foo'");
        }

        @Test
        void missingReport() {
            ObjectNode e = versionEvent("1.0.0");
            e.remove("report");
            assertRejected(e).hasMessage("report must be an object");
        }

        @Test
        void reportThatIsNotAnObject() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("report", "1.0.0");
            assertRejected(e).hasMessage("report must be an object");
        }

        @ParameterizedTest
        @CsvSource({"productId", "deviceName"})
        void missingIdentity(String field) {
            ObjectNode e = versionEvent("1.0.0");
            e.remove(field);
            assertRejected(e).hasMessage(field + " is missing");
        }

        @ParameterizedTest
        @CsvSource({"productId", "deviceName"})
        void emptyIdentity(String field) {
            ObjectNode e = versionEvent("1.0.0");
            e.put(field, "");
            assertRejected(e).hasMessage(field + " is missing");
        }

        @ParameterizedTest
        @CsvSource({"productId", "deviceName"})
        void identityThatIsNotAString(String field) {
            ObjectNode e = versionEvent("1.0.0");
            e.put(field, 7);
            assertRejected(e).hasMessage(field + " must be a string");
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {
                    "productId|p/1", "productId|p+", "productId|p#", "productId|$p", "productId|p 1",
                    "deviceName|d/1", "deviceName|+", "deviceName|#", "deviceName|$aws", "deviceName|d\u00e9"
                })
        void identityWithTopicUnsafeCharacters(String field, String value) {
            ObjectNode e = versionEvent("1.0.0");
            e.put(field, value);
            assertRejected(e).hasMessage(field + " has characters outside [A-Za-z0-9_.:@-]");
        }

        @Test
        void productIdTooLong() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("productId", "p".repeat(DeviceId.MAX_PRODUCT_ID + 1));
            assertRejected(e).hasMessage("productId is longer than 64 characters");
        }

        @Test
        void deviceNameTooLong() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("deviceName", "d".repeat(DeviceId.MAX_DEVICE_NAME + 1));
            assertRejected(e).hasMessage("deviceName is longer than 128 characters");
        }

        @Test
        void identityAtMaximumLengthIsAccepted() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("productId", "p".repeat(DeviceId.MAX_PRODUCT_ID));
            e.put("deviceName", "d".repeat(DeviceId.MAX_DEVICE_NAME));
            assertThat(parse(e).device().deviceName()).hasSize(DeviceId.MAX_DEVICE_NAME);
        }

        @Test
        void claimedProductIdThatDiffersFromTheTopic() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("claimedProductId", "p2");
            assertRejected(e).hasMessage("claimedProductId 'p2' does not match the topic's 'p1'");
        }

        @Test
        void claimedDeviceNameThatDiffersFromTheTopic() {
            ObjectNode e = progressEvent("done");
            e.put("claimedDeviceName", "someone-else");
            assertRejected(e).hasMessage("claimedDeviceName 'someone-else' does not match the topic's 'dev-1'");
        }

        @Test
        void emptyClaimIsAMismatch() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("claimedDeviceName", "");
            assertRejected(e).hasMessageContaining("claimedDeviceName").hasMessageContaining("does not match");
        }

        @Test
        void missingReceivedAt() {
            ObjectNode e = versionEvent("1.0.0");
            e.remove("receivedAt");
            assertRejected(e).hasMessageStartingWith("receivedAt is missing or not epoch milliseconds");
        }

        @Test
        void receivedAtAsAString() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("receivedAt", String.valueOf(AT));
            assertRejected(e).hasMessageStartingWith("receivedAt is missing or not epoch milliseconds");
        }

        @Test
        void receivedAtAsAFraction() {
            ObjectNode e = versionEvent("1.0.0");
            e.put("receivedAt", 1.7e12);
            assertRejected(e).hasMessageContaining("receivedAt");
        }

        @Test
        void receivedAtNull() {
            ObjectNode e = versionEvent("1.0.0");
            e.putNull("receivedAt");
            assertRejected(e).hasMessageContaining("receivedAt is missing");
        }
    }

    @Nested
    class RejectedVersion {

        @Test
        void missingVersion() {
            ObjectNode e = versionEvent("x");
            ((ObjectNode) e.get("report")).remove("version");
            assertRejected(e).hasMessage("version is missing");
        }

        @Test
        void emptyVersion() {
            assertRejected(versionEvent("")).hasMessage("report.version is missing");
        }

        @Test
        void versionOf33Characters() {
            assertRejected(versionEvent("1".repeat(33))).hasMessage("report.version is longer than 32 characters");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1.0 beta", " 1.0", "1.0\t", "1.0\n", "v\u00e9"})
        void versionWithSpacesOrNonPrintables(String version) {
            assertRejected(versionEvent(version)).hasMessage("report.version must be printable ASCII without spaces");
        }

        @Test
        void versionAsANumber() {
            ObjectNode e = versionEvent("x");
            ((ObjectNode) e.get("report")).put("version", 1.0);
            assertRejected(e).hasMessage("version must be a string");
        }

        @Test
        void progressWithoutVersion() {
            ObjectNode e = progressEvent("done");
            ((ObjectNode) e.get("report")).remove("version");
            assertRejected(e).hasMessage("version is missing");
        }

        @Test
        void progressWithOversizedVersion() {
            ObjectNode e = progressEvent("done");
            ((ObjectNode) e.get("report")).put("version", "v".repeat(33));
            assertRejected(e).hasMessage("report.version is longer than 32 characters");
        }
    }

    @Nested
    class RejectedProgress {

        @Test
        void missingProgressObject() {
            ObjectNode e = progressEvent("done");
            ((ObjectNode) e.get("report")).remove("progress");
            assertRejected(e).hasMessage("progress must be an object");
        }

        @Test
        void unknownState() {
            assertRejected(progressEvent("installing")).hasMessage("unknown progress state 'installing'");
        }

        @Test
        void stateIsCaseSensitive() {
            assertRejected(progressEvent("DONE")).hasMessage("unknown progress state 'DONE'");
        }

        @Test
        void missingState() {
            ObjectNode e = progressEvent("done");
            progressOf(e).remove("state");
            assertRejected(e).hasMessage("state is missing");
        }

        @Test
        void percentAsBoolean() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", true);
            assertRejected(e).hasMessage("percent must be a whole number or a string of one, got true");
        }

        @Test
        void percentAsWord() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", "ten");
            assertRejected(e).hasMessage("percent must be a whole number or a string of one, got \"ten\"");
        }

        @Test
        void percentAsFractionalNumber() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", 10.5);
            assertRejected(e).hasMessage("percent must be a whole number or a string of one, got 10.5");
        }

        @Test
        void percentAsFractionalString() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", "10.5");
            assertRejected(e).hasMessageStartingWith("percent must be a whole number");
        }

        @Test
        void percentAsEmptyString() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", "");
            assertRejected(e).hasMessageStartingWith("percent must be a whole number");
        }

        @Test
        void percentAsAnObject() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).putObject("percent");
            assertRejected(e).hasMessageStartingWith("percent must be a whole number");
        }

        @Test
        void percentTooLargeForAnInt() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", "99999999999");
            assertRejected(e).hasMessageStartingWith("percent must be a whole number");
        }

        @ParameterizedTest
        @ValueSource(strings = {"101", "-1", "1000"})
        void percentOutOfRangeAsString(String percent) {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", percent);
            assertRejected(e).hasMessage("percent " + percent + " is outside 0..100");
        }

        @ParameterizedTest
        @ValueSource(ints = {101, -1})
        void percentOutOfRangeAsNumber(int percent) {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", percent);
            assertRejected(e).hasMessage("percent " + percent + " is outside 0..100");
        }

        @Test
        void resultCodeAsWord() {
            ObjectNode e = progressEvent("fail");
            progressOf(e).put("result_code", "x");
            assertRejected(e).hasMessage("result_code must be a whole number or a string of one, got \"x\"");
        }

        @Test
        void failWithoutResultCode() {
            ObjectNode e = progressEvent("fail");
            progressOf(e).remove("result_code");
            assertRejected(e).hasMessage("fail report without result_code");
        }

        @Test
        void failWithNullResultCode() {
            ObjectNode e = progressEvent("fail");
            progressOf(e).putNull("result_code");
            assertRejected(e).hasMessage("fail report without result_code");
        }

        @ParameterizedTest
        @ValueSource(strings = {"-6", "0", "1", "-100"})
        void failWithCodeOutsideTheDocumentedRange(String code) {
            ObjectNode e = progressEvent("fail");
            progressOf(e).put("result_code", code);
            assertRejected(e).hasMessage("result_code " + code + " is not one of -1..-5");
        }

        @Test
        void nonZeroResultCodeWithDownloading() {
            ObjectNode e = progressEvent("downloading");
            progressOf(e).put("percent", "10");
            progressOf(e).put("result_code", "-1");
            assertRejected(e).hasMessage("result_code -1 with state downloading");
        }

        @ParameterizedTest
        @ValueSource(strings = {"burning", "done"})
        void nonZeroResultCodeWithOtherSuccessStates(String state) {
            ObjectNode e = progressEvent(state);
            progressOf(e).put("result_code", -4);
            assertRejected(e).hasMessage("result_code -4 with state " + state);
        }

        @Test
        void resultMsgOver256Characters() {
            ObjectNode e = progressEvent("fail");
            progressOf(e).put("result_code", "-1");
            progressOf(e).put("result_msg", "m".repeat(257));
            assertRejected(e).hasMessage("result_msg is longer than 256 characters");
        }

        @Test
        void resultMsgThatIsNotAString() {
            ObjectNode e = progressEvent("fail");
            progressOf(e).put("result_code", "-1");
            progressOf(e).put("result_msg", 5);
            assertRejected(e).hasMessage("result_msg must be a string");
        }
    }

    @Nested
    class DeviceOf {

        @Test
        void namesTheDeviceOfAnEventEvenWhenTheRestIsInvalid() throws Exception {
            JsonNode e = json.readTree("{\"productId\":\"p1\",\"deviceName\":\"d1\",\"type\":\"bogus\"}");
            assertThat(DeviceReportParser.deviceOf(e)).isEqualTo("p1/d1");
        }

        @Test
        void unknownWhenNotAnObject() throws Exception {
            assertThat(DeviceReportParser.deviceOf(null)).isEqualTo("unknown");
            assertThat(DeviceReportParser.deviceOf(json.readTree("[1]"))).isEqualTo("unknown");
        }
    }
}
