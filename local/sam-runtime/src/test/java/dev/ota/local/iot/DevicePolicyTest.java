package dev.ota.local.iot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.local.iot.IotPolicy.Decision;
import dev.ota.local.standin.RepoRoot;
import dev.ota.local.template.LocalDeployment;
import dev.ota.local.template.SamTemplate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** template.yaml's DevicePolicy, resolved as CloudFormation would and evaluated as IoT Core would. */
class DevicePolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARN = "arn:aws:iot:eu-west-1:111122223333:";
    /** Deployed as samconfig.toml deploys it: stack ota-backend, here in eu-west-1 of account 111122223333. */
    private static final LocalDeployment DEPLOYED = new LocalDeployment(
            "aws",
            "eu-west-1",
            "111122223333",
            "ota-backend",
            "arn:aws:cloudformation:eu-west-1:111122223333:stack/ota-backend/00000000-0000-0000-0000-000000000000");

    private static final Map<String, String> DEVICE = Map.of(
            "iot:ClientId", "P1::dev:d1",
            "iot:Connection.Thing.ThingName", "P1::dev:d1",
            "iot:Connection.Thing.IsAttached", "true",
            "iot:Connection.Thing.Attributes[productId]", "P1",
            "iot:Connection.Thing.Attributes[deviceName]", "dev.1");

    private static SamTemplate.IotPolicySpec spec(Map<String, String> parameters) {
        List<SamTemplate.IotPolicySpec> policies = SamTemplate.load(
                        RepoRoot.find().resolve("template.yaml"), parameters, DEPLOYED)
                .iotPolicies();
        assertThat(policies).hasSize(1);
        return policies.get(0);
    }

    private static IotPolicy policy(Map<String, String> parameters) {
        SamTemplate.IotPolicySpec spec = spec(parameters);
        return IotPolicy.parse(spec.policyName(), JSON.valueToTree(spec.document()));
    }

    private static final IotPolicy POLICY = policy(Map.of());

    @Test
    void resolvesAsCloudFormationWould() {
        SamTemplate.IotPolicySpec spec = spec(Map.of());
        JsonNode statements = JSON.valueToTree(spec.document()).path("Statement");

        assertThat(spec.policyName()).isEqualTo("ota-backend-device");
        assertThat(statements.get(0).path("Resource").asText())
                .isEqualTo(ARN + "client/${iot:Connection.Thing.ThingName}");
        assertThat(statements.get(1).path("Resource").get(0).asText())
                .isEqualTo(
                        ARN
                                + "topic/ota/report/${iot:Connection.Thing.Attributes[productId]}/${iot:Connection.Thing.Attributes[deviceName]}");
        assertThat(statements.get(1).path("Resource").get(1).asText())
                .isEqualTo(
                        ARN
                                + "topic/$aws/rules/ota_version_report/ota/report/${iot:Connection.Thing.Attributes[productId]}/${iot:Connection.Thing.Attributes[deviceName]}");
        assertThat(statements.get(2).path("Resource").asText())
                .isEqualTo(
                        ARN
                                + "topicfilter/ota/update/${iot:Connection.Thing.Attributes[productId]}/${iot:Connection.Thing.Attributes[deviceName]}");
    }

    @Test
    void aDeviceConnectsOnlyAsItsOwnThing() {
        assertThat(POLICY.evaluate("iot:Connect", ARN + "client/P1::dev:d1", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(POLICY.evaluate("iot:Connect", ARN + "client/P1dev.1", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(POLICY.evaluate("iot:Connect", ARN + "client/P1::other", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        Map<String, String> unattached =
                Map.of("iot:ClientId", "P1::dev:d1", "iot:Connection.Thing.IsAttached", "false");
        assertThat(POLICY.evaluate("iot:Connect", ARN + "client/P1::dev:d1", unattached))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void aDevicePublishesOnlyItsOwnReportsIncludingItsOwnBasicIngestTopics() {
        assertThat(POLICY.evaluate("iot:Publish", ARN + "topic/ota/report/P1/dev.1", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(POLICY.evaluate(
                        "iot:Publish", ARN + "topic/$aws/rules/ota_version_report/ota/report/P1/dev.1", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(POLICY.evaluate(
                        "iot:Publish", ARN + "topic/$aws/rules/ota_progress_report/ota/report/P1/dev.1", DEVICE))
                .isEqualTo(Decision.ALLOW);

        assertThat(POLICY.evaluate("iot:Publish", ARN + "topic/ota/report/P1/dev.2", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(POLICY.evaluate("iot:Publish", ARN + "topic/ota/report/P2/dev.1", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(POLICY.evaluate(
                        "iot:Publish", ARN + "topic/$aws/rules/ota_version_report/ota/report/P1/dev.2", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(POLICY.evaluate("iot:Publish", ARN + "topic/$aws/rules/some_other_rule/ota/report/P1/dev.1", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(POLICY.evaluate("iot:Publish", ARN + "topic/ota/update/P1/dev.1", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(POLICY.evaluate("iot:Publish", ARN + "topic/ota/report/P1/dev.1/extra", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void aDeviceSubscribesAndReceivesOnlyItsOwnUpdates() {
        assertThat(POLICY.evaluate("iot:Subscribe", ARN + "topicfilter/ota/update/P1/dev.1", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(POLICY.evaluate("iot:Receive", ARN + "topic/ota/update/P1/dev.1", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(POLICY.evaluate("iot:Subscribe", ARN + "topicfilter/ota/update/P1/+", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(POLICY.evaluate("iot:Subscribe", ARN + "topicfilter/ota/update/#", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(POLICY.evaluate("iot:Receive", ARN + "topic/ota/update/P1/dev.2", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void followsTheTopicParameters() {
        IotPolicy tencent = policy(Map.of(
                "ReportTopicTemplate",
                "$ota/report/{productId}/{deviceName}",
                "UpdateTopicTemplate",
                "$ota/update/{productId}/{deviceName}",
                "VersionReportRuleName",
                "v"));

        assertThat(tencent.evaluate("iot:Publish", ARN + "topic/$ota/report/P1/dev.1", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(tencent.evaluate("iot:Publish", ARN + "topic/$aws/rules/v/$ota/report/P1/dev.1", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(tencent.evaluate("iot:Subscribe", ARN + "topicfilter/$ota/update/P1/dev.1", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(tencent.evaluate("iot:Publish", ARN + "topic/ota/report/P1/dev.1", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void followsAReportTopicWithTheNamesAtAnyLevel() {
        IotPolicy estate = policy(
                Map.of("ReportTopicTemplate", "fleet/{deviceName}/ota/{productId}/up", "VersionReportRuleName", "v"));

        assertThat(estate.evaluate("iot:Publish", ARN + "topic/fleet/dev.1/ota/P1/up", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(estate.evaluate("iot:Publish", ARN + "topic/$aws/rules/v/fleet/dev.1/ota/P1/up", DEVICE))
                .isEqualTo(Decision.ALLOW);
        assertThat(estate.evaluate("iot:Publish", ARN + "topic/fleet/dev.2/ota/P1/up", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(estate.evaluate("iot:Publish", ARN + "topic/ota/report/P1/dev.1", DEVICE))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void valuesOfVariablesAreLiteralAndDenyWins() {
        IotPolicy policy = IotPolicy.parse(
                "p",
                JSON.createObjectNode()
                        .set(
                                "Statement",
                                JSON.valueToTree(List.of(
                                        Map.of(
                                                "Effect",
                                                "Allow",
                                                "Action",
                                                "iot:*",
                                                "Resource",
                                                ARN + "topic/${iot:ClientId}/*"),
                                        Map.of(
                                                "Effect",
                                                "Deny",
                                                "Action",
                                                "iot:Publish",
                                                "Resource",
                                                ARN + "topic/blocked/*")))));

        assertThat(policy.evaluate("iot:Publish", ARN + "topic/c1/x", Map.of("iot:ClientId", "c1")))
                .isEqualTo(Decision.ALLOW);
        assertThat(policy.evaluate("iot:Publish", ARN + "topic/anything/x", Map.of("iot:ClientId", "*")))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(policy.evaluate("iot:Publish", ARN + "topic/blocked/x", Map.of("iot:ClientId", "blocked")))
                .isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(policy.evaluate("iot:Publish", ARN + "topic/c1/x", Map.of()))
                .as("unresolved variable")
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void refusesWhatItWouldNotEnforceFaithfully() {
        assertThatThrownBy(() -> IotPolicy.parse(
                        "p",
                        JSON.valueToTree(Map.of(
                                "Statement",
                                List.of(Map.of("Effect", "Allow", "NotAction", "iot:Connect", "Resource", "*"))))))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> IotPolicy.parse(
                        "p",
                        JSON.valueToTree(Map.of(
                                "Statement",
                                List.of(Map.of(
                                        "Effect",
                                        "Allow",
                                        "Action",
                                        "iot:Connect",
                                        "Resource",
                                        "*",
                                        "Condition",
                                        Map.of("DateGreaterThan", Map.of("aws:CurrentTime", "2020-01-01"))))))))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
