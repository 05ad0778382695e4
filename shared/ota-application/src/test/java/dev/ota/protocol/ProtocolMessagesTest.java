package dev.ota.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.ProgressState;
import dev.ota.domain.device.ResultCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cloud-to-device messages, byte for byte as Tencent's cloud sends them. */
class ProtocolMessagesTest {

    private static final String MD5 = "ad46e2b4bb0ba7b2b38c5c3fb3f7c4a1";
    private static final String URL =
            "https://ota.example.com/firmware/p1/1.3.0/fw.bin?X-Amz-Signature=abc&X-Amz-Expires=3600";

    private final ObjectMapper json = ProtocolJson.newMapper();

    private String serialise(Object message) {
        return new String(ProtocolJson.toBytes(json, message), StandardCharsets.UTF_8);
    }

    @Test
    void updateFirmwareIsExactlyTheCloudsMessage() {
        String out = serialise(new UpdateFirmwareMessage(175436, MD5, URL, "1.3.0"));

        assertThat(out)
                .isEqualTo("{\"file_size\":175436,\"md5sum\":\"" + MD5 + "\",\"type\":\"update_firmware\",\"url\":\""
                        + URL + "\",\"version\":\"1.3.0\"}");
    }

    @Test
    void updateFirmwareFileSizeIsAJsonNumberAndEveryOtherValueAString() throws Exception {
        JsonNode tree = json.readTree(serialise(new UpdateFirmwareMessage(708482, MD5, URL, "0.2")));

        assertThat(tree.get("file_size").isIntegralNumber()).isTrue();
        assertThat(tree.get("file_size").longValue()).isEqualTo(708482L);
        assertThat(tree.get("md5sum").isTextual()).isTrue();
        assertThat(tree.get("url").isTextual()).isTrue();
        assertThat(tree.get("version").isTextual()).isTrue();
        assertThat(tree.get("type").textValue()).isEqualTo("update_firmware");
        assertThat(tree.size()).isEqualTo(5);
    }

    @Test
    void updateFirmwareCarriesFileSizesBeyondTwoGigabytes() {
        String out = serialise(new UpdateFirmwareMessage(1024L * 1024 * 1024 * 3, MD5, URL, "1"));

        assertThat(out).startsWith("{\"file_size\":3221225472,");
    }

    @Test
    void urlIsNotEscapedBeyondJson() {
        // '/' needs no escaping in JSON; a device SDK that does not unescape "\/" would break on it.
        String out = serialise(new UpdateFirmwareMessage(1, MD5, "https://h/a/b?x=1&y=2", "1"));

        assertThat(out).contains("\"url\":\"https://h/a/b?x=1&y=2\"");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "AD46E2B4BB0BA7B2B38C5C3FB3F7C4A1", // uppercase: the C and Python SDKs compare case-sensitively
                "Ad46e2b4bb0ba7b2b38c5c3fb3f7c4a1",
                "ad46e2b4bb0ba7b2b38c5c3fb3f7c4a", // 31
                "ad46e2b4bb0ba7b2b38c5c3fb3f7c4a1f", // 33
                "zz46e2b4bb0ba7b2b38c5c3fb3f7c4a1",
                ""
            })
    void updateFirmwareRejectsAnMd5ThatIsNotLowercaseHex(String md5) {
        assertThatThrownBy(() -> new UpdateFirmwareMessage(1, md5, URL, "1.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("md5sum must be 32 lowercase hex digits");
    }

    @Test
    void updateFirmwareRejectsANegativeSize() {
        assertThatThrownBy(() -> new UpdateFirmwareMessage(-1, MD5, URL, "1.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("file_size must not be negative");
    }

    @Test
    void updateFirmwareFitsTheCSdksReceiveBufferWithATypicalUrl() {
        String url =
                "https://ota-firmware-bucket.s3.us-east-1.amazonaws.com/firmware/p1/1.3.0/fw.bin?" + "q".repeat(900);
        byte[] bytes = ProtocolJson.toBytes(json, new UpdateFirmwareMessage(175436, MD5, url, "1.3.0"));

        assertThat(bytes.length).isLessThan(2048);
    }

    @Test
    void versionReportResponseIsExactlyTheCloudsMessage() {
        assertThat(serialise(VersionReportResponse.success("1.0.0")))
                .isEqualTo(
                        "{\"type\":\"report_version_rsp\",\"result_code\":0,\"result_msg\":\"success\",\"version\":\"1.0.0\"}");
    }

    @Test
    void versionReportResponseResultCodeIsAnInteger() throws Exception {
        JsonNode tree = json.readTree(serialise(new VersionReportResponse(-1, "failed", "0.1")));

        assertThat(tree.get("result_code").isInt()).isTrue();
        assertThat(tree.get("result_code").intValue()).isEqualTo(-1);
        assertThat(tree.get("result_msg").textValue()).isEqualTo("failed");
        assertThat(tree.get("version").textValue()).isEqualTo("0.1");
    }

    @Test
    void bothMessagesReadBackAsADeviceSimulatorWouldReadThem() throws Exception {
        UpdateFirmwareMessage update = new UpdateFirmwareMessage(175436, MD5, URL, "1.3.0");
        assertThat(json.readValue(ProtocolJson.toBytes(json, update), UpdateFirmwareMessage.class))
                .isEqualTo(update);

        VersionReportResponse rsp = VersionReportResponse.success("1.0.0");
        assertThat(json.readValue(ProtocolJson.toBytes(json, rsp), VersionReportResponse.class))
                .isEqualTo(rsp);
    }

    @Test
    void readingAnUppercaseMd5FailsAsBuildingOneDoes() {
        String wire = "{\"file_size\":1,\"md5sum\":\"" + MD5.toUpperCase()
                + "\",\"type\":\"update_firmware\",\"url\":\"u\",\"version\":\"1\"}";
        assertThatThrownBy(() -> json.readValue(wire, UpdateFirmwareMessage.class))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .hasRootCauseMessage("md5sum must be 32 lowercase hex digits");
    }

    @Test
    void newMapperAcceptsUnknownPropertiesWhenBinding() throws Exception {
        record Probe(String a) {}
        Probe p = json.readValue("{\"a\":\"x\",\"b\":1}", Probe.class);
        assertThat(p.a()).isEqualTo("x");
    }

    @Test
    void newMapperRejectsDuplicateKeysInTrees() {
        assertThatThrownBy(() -> json.readTree("{\"a\":1,\"a\":2}")).hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void resultCodesMatchTheSeedDocument() {
        assertThat(ResultCode.of(-1)).isEqualTo(ResultCode.DOWNLOAD_TIMEOUT);
        assertThat(ResultCode.of(-2)).isEqualTo(ResultCode.FILE_NOT_FOUND);
        assertThat(ResultCode.of(-3)).isEqualTo(ResultCode.SIGNATURE_EXPIRED);
        assertThat(ResultCode.of(-4)).isEqualTo(ResultCode.MD5_MISMATCH);
        assertThat(ResultCode.of(-5)).isEqualTo(ResultCode.UPDATE_FAILED);
        assertThatThrownBy(() -> ResultCode.of(-6))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("result_code -6 is not one of -1..-5");
    }

    @Test
    void progressStatesUseTheWireNames() {
        assertThat(ProgressState.fromWire("downloading")).isEqualTo(ProgressState.DOWNLOADING);
        assertThat(ProgressState.fromWire("burning")).isEqualTo(ProgressState.BURNING);
        assertThat(ProgressState.fromWire("done")).isEqualTo(ProgressState.DONE);
        assertThat(ProgressState.fromWire("fail")).isEqualTo(ProgressState.FAIL);
        assertThat(ProgressState.FAIL.wire()).isEqualTo("fail");
    }

    @Test
    void deviceIdKeyJoinsWithASlashThatNeitherPartMayContain() {
        DeviceId id = new DeviceId("prod_1", "dev.a:b@c-d");
        assertThat(id.key()).isEqualTo("prod_1/dev.a:b@c-d");
        assertThat(id).hasToString("prod_1/dev.a:b@c-d");
        assertThatThrownBy(() -> new DeviceId("a/b", "c"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("productId has characters outside [A-Za-z0-9_.:@-]");
        assertThatThrownBy(() -> new DeviceId("a", null))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessage("deviceName is missing");
    }
}
