package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.device.Registered;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.iam.LocalIam;
import dev.ota.local.stack.LocalStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iotdataplane.model.ForbiddenException;

/**
 * IAM is enforced from template.yaml: take one grant away from a role (in memory, from the parsed
 * template) and the path that needs it fails with AWS's AccessDenied, naming the role, the action
 * and the resource.
 */
class IamEnforcementIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    /** The stack on template.yaml without one statement of one role. */
    private static LocalStack stackWithout(String role, String sid) {
        return LocalStack.start(LocalStack.Options.defaults()
                .withParameterOverrides(SharedStack.S3_PRESIGNED)
                .withTemplateEdit(t -> t.edited(root -> {
                    List<Object> statements = statements(root, role);
                    assertThat(statements.removeIf(s -> s instanceof Map<?, ?> m && sid.equals(m.get("Sid"))))
                            .as(role + " has a statement " + sid)
                            .isTrue();
                })));
    }

    @Test
    void withoutIotPublishVersionReportCannotAnswerADevice() throws Exception {
        try (LocalStack stack = stackWithout("VersionReportRole", "PublishToDevices")) {
            long published = stack.aws().iotDataServer().publishCount();
            byte[] event =
                    "{\"type\":\"report_version\",\"report\":{\"version\":\"1.0.0\"},\"productId\":\"IAMP\",\"deviceName\":\"dev-1\",\"clientId\":\"IAMP::dev-1\",\"receivedAt\":1764201600000}"
                            .getBytes(StandardCharsets.UTF_8);

            assertThatThrownBy(() -> stack.invoke("VersionReportFunction", event))
                    .isInstanceOf(ForbiddenException.class)
                    .hasMessageContaining(
                            "User: arn:aws:sts::123456789012:assumed-role/ota-local-VersionReportRole/ota-local-VersionReportFunction")
                    .hasMessageContaining("is not authorized to perform: iot:Publish")
                    .hasMessageContaining(
                            "on resource: arn:aws:iot:us-east-1:123456789012:topic/ota/update/IAMP/dev-1");

            assertThat(stack.aws().iotDataServer().publishCount())
                    .as("nothing reached the broker")
                    .isEqualTo(published);
            assertThat(stack.iam().denials()).singleElement().satisfies(d -> {
                assertThat(d.role()).isEqualTo("VersionReportRole");
                assertThat(d.action()).isEqualTo("iot:Publish");
            });
            assertThat(stack.iam().stats().denied()).isEqualTo(1);
        }
    }

    @Test
    void aUrlSignedByARoleThatMayNotReadTheKeyAnswers403() throws Exception {
        try (LocalStack stack = stackWithout("UpdateDevicesRole", "PresignFirmwareDownloads")) {
            SharedStack.uploadAndRegister(stack, "IAMURL", "1.1.0", SharedStack.firmwareBytes(20_000, 8));
            try (SimulatedDevice device = new SimulatedDevice(
                            Registered.mqttUrl(stack, "IAMURL", "dev-1"), "IAMURL", "dev-1", "ota")
                    .connect()) {
                device.reportVersion("1.0.0");
                assertThat(device.await("report_version_rsp", WAIT)).isNotNull();

                SharedStack.invoke(
                        stack,
                        "UpdateDevicesFunction",
                        "{\"productId\":\"IAMURL\",\"version\":\"1.1.0\",\"deviceNames\":[\"dev-1\"]}");
                JsonNode update = device.await("update_firmware", WAIT);
                assertThat(update)
                        .as("signing makes no call: the URL is minted and sent")
                        .isNotNull();

                SimulatedDevice.Download download =
                        device.download(update.path("url").asText(), 0, Long.MAX_VALUE);

                assertThat(download.status()).isEqualTo(403);
                assertThat(SimulatedDevice.text(download.body()))
                        .contains("<Code>AccessDenied</Code>")
                        .contains(
                                "assumed-role/ota-local-UpdateDevicesRole/ota-local-UpdateDevicesFunction is not authorized to perform: s3:GetObject")
                        .contains("arn:aws:s3:::" + LocalStack.BUCKET + "/download-");
                assertThat(stack.iam().stats().downloadsRefused()).isEqualTo(1);
                assertThat(stack.bucketHost().refused()).isEqualTo(1);
            }
        }
    }

    @Test
    void theSameUrlsAreServedWithTheTemplateAsItIs() throws Exception {
        LocalStack stack = SharedStack.get(SharedStack.S3_PRESIGNED);
        LocalIam.Stats before = stack.iam().stats();
        SharedStack.uploadAndRegister(stack, "IAMOK", "1.1.0", SharedStack.firmwareBytes(20_000, 9));
        try (SimulatedDevice device =
                new SimulatedDevice(Registered.mqttUrl(stack, "IAMOK", "dev-1"), "IAMOK", "dev-1", "ota").connect()) {
            device.reportVersion("1.0.0");
            assertThat(device.await("report_version_rsp", WAIT)).isNotNull();
            SharedStack.invoke(
                    stack,
                    "UpdateDevicesFunction",
                    "{\"productId\":\"IAMOK\",\"version\":\"1.1.0\",\"deviceNames\":[\"dev-1\"]}");
            JsonNode update = device.await("update_firmware", WAIT);

            assertThat(update.path("url").asText()).contains("X-Amz-Security-Token=");
            assertThat(device.download(update.path("url").asText(), 0, Long.MAX_VALUE)
                            .status())
                    .isEqualTo(200);
        }
        LocalIam.Stats after = stack.iam().stats();
        assertThat(after.calls()).isGreaterThan(before.calls());
        assertThat(after.downloads() - before.downloads()).isEqualTo(1);
        assertThat(after.downloadsRefused()).isEqualTo(before.downloadsRefused());
    }

    @SuppressWarnings("unchecked")
    private static List<Object> statements(Map<String, Object> root, String role) {
        Map<String, Object> resource = (Map<String, Object>) ((Map<String, Object>) root.get("Resources")).get(role);
        Map<String, Object> policy = (Map<String, Object>)
                ((List<Object>) ((Map<String, Object>) resource.get("Properties")).get("Policies")).get(0);
        return (List<Object>) ((Map<String, Object>) policy.get("PolicyDocument")).get("Statement");
    }
}
