package dev.ota.local.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.local.standin.CloudFormationYaml.Intrinsic;
import dev.ota.local.standin.RepoRoot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** template.yaml's intrinsics in the local deployment. */
class IntrinsicsTest {

    private static SamTemplate template(Map<String, String> overrides) {
        return SamTemplate.load(RepoRoot.find().resolve("template.yaml"), overrides);
    }

    @Test
    void resourcesHaveTheNamesAndArnsOfTheLocalDeployment() {
        SamTemplate t = template(Map.of());

        assertThat(t.physicalName("DevicesTable")).isEqualTo("DevicesTable");
        assertThat(t.arn("DevicesTable")).isEqualTo("arn:aws:dynamodb:us-east-1:123456789012:table/DevicesTable");
        assertThat(t.arn("JobWorkQueue")).isEqualTo("arn:aws:sqs:us-east-1:123456789012:JobWorkQueue");
        assertThat(t.physicalName("FirmwareBucket"))
                .isEqualTo("ota-firmware-123456789012-00000000-0000-0000-0000-000000000000");
        assertThat(t.arn("FirmwareBucket"))
                .isEqualTo("arn:aws:s3:::ota-firmware-123456789012-00000000-0000-0000-0000-000000000000");
        assertThat(t.arn("VersionReportLogGroup"))
                .isEqualTo("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ota-local/version-report:*");
        assertThat(t.arn("VersionReportRole")).isEqualTo("arn:aws:iam::123456789012:role/ota-local-VersionReportRole");
    }

    @Test
    void theFunctionsSettingsNameTheSameBucket() {
        SamTemplate t = template(Map.of());

        assertThat(t.functions())
                .allSatisfy(f ->
                        assertThat(f.environment().get("FIRMWARE_BUCKET")).isEqualTo(t.physicalName("FirmwareBucket")));
        assertThat(t.functions())
                .filteredOn(f -> f.logicalId().equals("VersionReportFunction"))
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.logGroup()).isEqualTo("/aws/lambda/ota-local/version-report");
                    assertThat(f.onFailureQueue()).isEqualTo("VersionReportDeadLetterQueue");
                });
    }

    @Test
    void subSelectSplitAndParametersResolveInRolePolicies() {
        SamTemplate t = template(Map.of("UpdateTopicTemplate", "devices/{productId}/{deviceName}/update"));

        Object document =
                t.role("UpdateDevicesFunction").policies().values().iterator().next();

        assertThat(document.toString())
                .contains("arn:aws:iot:us-east-1:123456789012:topic/devices/*")
                .contains("arn:aws:s3:::ota-firmware-123456789012-00000000-0000-0000-0000-000000000000/download-*")
                .doesNotContain("AWS::NoValue")
                .doesNotContain("xray");
    }

    @Test
    void whatCannotBeResolvedIsNamed() {
        SamTemplate t = template(Map.of()).edited(root -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> resources = (Map<String, Object>) root.get("Resources");
            resources.put(
                    "Broken",
                    Map.of(
                            "Type",
                            "AWS::IAM::Role",
                            "Properties",
                            Map.of(
                                    "Policies",
                                    List.of(Map.of(
                                            "PolicyName",
                                            "p",
                                            "PolicyDocument",
                                            Map.of(
                                                    "Statement",
                                                    List.of(Map.of(
                                                            "Effect",
                                                            "Allow",
                                                            "Action",
                                                            "s3:*",
                                                            "Resource",
                                                            new Intrinsic("GetAtt", "DevicesTable.StreamArn")))))))));
            @SuppressWarnings("unchecked")
            Map<String, Object> fn = (Map<String, Object>)
                    ((Map<String, Object>) resources.get("JobSchedulerFunction")).get("Properties");
            fn.put("Role", new Intrinsic("GetAtt", "Broken.Arn"));
        });

        assertThatThrownBy(() -> t.role("JobSchedulerFunction")).hasMessageContaining("DevicesTable.StreamArn");
    }
}
