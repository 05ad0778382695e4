package dev.ota.local.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.local.standin.BucketHostEndpoint;
import dev.ota.local.standin.RepoRoot;
import dev.ota.local.template.SamTemplate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** template.yaml's roles as the local stack reads them. */
class LocalIamTest {

    private static final String BUCKET = "arn:aws:s3:::ota-firmware-123456789012-00000000-0000-0000-0000-000000000000";
    private static final String TABLES = "arn:aws:dynamodb:us-east-1:123456789012:table/";

    private static SamTemplate template() {
        return SamTemplate.load(RepoRoot.find().resolve("template.yaml"), Map.of());
    }

    private static boolean allowed(LocalIam iam, String function, String action, String resource) {
        return iam.evaluate(iam.role(function), new Permission(action, resource))
                .allowed();
    }

    @Test
    void everyFunctionRunsAsItsOwnRoleFromTheTemplate() {
        LocalIam iam = LocalIam.from(template());

        assertThat(iam.roles())
                .extracting(LocalIam.Role::functionLogicalId)
                .containsExactlyInAnyOrderElementsOf(template().functions().stream()
                        .map(SamTemplate.FunctionSpec::logicalId)
                        .toList());
        LocalIam.Role role = iam.role("VersionReportFunction");
        assertThat(role.logicalId()).isEqualTo("VersionReportRole");
        assertThat(role.arn()).isEqualTo("arn:aws:iam::123456789012:role/ota-local-VersionReportRole");
        assertThat(role.principalArn())
                .isEqualTo(
                        "arn:aws:sts::123456789012:assumed-role/ota-local-VersionReportRole/ota-local-VersionReportFunction");
        assertThat(role.policies()).isNotEmpty();
    }

    @Test
    void theRolesResourcesResolveToTheLocalResourcesArns() {
        LocalIam iam = LocalIam.from(template());

        assertThat(allowed(iam, "VersionReportFunction", "dynamodb:GetItem", TABLES + "DevicesTable"))
                .isTrue();
        assertThat(allowed(
                        iam,
                        "VersionReportFunction",
                        "iot:Publish",
                        "arn:aws:iot:us-east-1:123456789012:topic/ota/update/P1/dev-1"))
                .isTrue();
        assertThat(allowed(iam, "VersionReportFunction", "s3:GetObject", BUCKET + "/download-abc-def"))
                .isTrue();
        assertThat(allowed(iam, "VersionReportFunction", "s3:GetObject", BUCKET + "/firmware/P1/1.0/f.bin"))
                .isFalse();
        assertThat(allowed(
                        iam,
                        "JobSchedulerFunction",
                        "sqs:SendMessage",
                        "arn:aws:sqs:us-east-1:123456789012:JobWorkQueue"))
                .isTrue();
        assertThat(allowed(iam, "JobSchedulerFunction", "dynamodb:PutItem", TABLES + "JobsTable"))
                .isFalse();
        assertThat(
                        allowed(
                                iam,
                                "FirmwareRegistrationFunction",
                                "logs:PutLogEvents",
                                "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ota-local/firmware-registration:log-stream:x"))
                .isTrue();
    }

    @Test
    void theUpdateTopicParameterDecidesTheTopicsGranted() {
        LocalIam iam = LocalIam.from(SamTemplate.load(
                RepoRoot.find().resolve("template.yaml"),
                Map.of("UpdateTopicTemplate", "$ota/update/{productId}/{deviceName}")));

        assertThat(allowed(
                        iam,
                        "VersionReportFunction",
                        "iot:Publish",
                        "arn:aws:iot:us-east-1:123456789012:topic/$ota/update/P1/d"))
                .isTrue();
        assertThat(allowed(
                        iam,
                        "VersionReportFunction",
                        "iot:Publish",
                        "arn:aws:iot:us-east-1:123456789012:topic/ota/update/P1/d"))
                .isFalse();
    }

    @Test
    void tracingIsGrantedOnlyWhenTheConditionHolds() {
        LocalIam passThrough = LocalIam.from(template());
        LocalIam active = LocalIam.from(
                SamTemplate.load(RepoRoot.find().resolve("template.yaml"), Map.of("TracingMode", "Active")));

        assertThat(allowed(passThrough, "JobWorkerFunction", "xray:PutTraceSegments", "*"))
                .isFalse();
        assertThat(allowed(active, "JobWorkerFunction", "xray:PutTraceSegments", "*"))
                .isTrue();
    }

    @Test
    void aRefusalNamesTheRoleTheActionAndTheResource() {
        LocalIam iam = LocalIam.from(template());
        LocalIam.Role role = iam.role("ProgressReportFunction");
        Permission p = new Permission("iot:Publish", "arn:aws:iot:us-east-1:123456789012:topic/ota/update/P/D");

        String message = iam.message(role, p, iam.evaluate(role, p));

        assertThat(message)
                .isEqualTo(
                        "User: arn:aws:sts::123456789012:assumed-role/ota-local-ProgressReportRole/ota-local-ProgressReportFunction"
                                + " is not authorized to perform: iot:Publish on resource: arn:aws:iot:us-east-1:123456789012:topic/ota/update/P/D because no"
                                + " identity-based policy allows the iot:Publish action [local IAM: role ProgressReportRole of ProgressReportFunction in template.yaml]");
    }

    @Test
    void aRoleWithWhatTheLocalEvaluatorCannotReadStopsTheStack() {
        SamTemplate managed = template()
                .edited(root -> props(root, "JobSchedulerRole")
                        .put(
                                "ManagedPolicyArns",
                                List.of("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")));
        assertThatThrownBy(() -> LocalIam.from(managed))
                .hasMessageContaining("JobSchedulerRole")
                .hasMessageContaining("ManagedPolicyArns");

        SamTemplate unsupportedKey = template()
                .edited(root -> statements(root, "JobSchedulerRole")
                        .get(1)
                        .put("Condition", Map.of("StringEquals", Map.of("dynamodb:LeadingKeys", "x"))));
        assertThatThrownBy(() -> LocalIam.from(unsupportedKey)).hasMessageContaining("dynamodb:leadingkeys");

        SamTemplate noRole =
                template().edited(root -> props(root, "JobSchedulerFunction").remove("Role"));
        assertThatThrownBy(() -> LocalIam.from(noRole)).hasMessageContaining("JobSchedulerFunction has no Role");
    }

    @Test
    void aDownloadIsServedOnlyIfTheSigningRoleMayReadTheKey() {
        LocalIam iam = LocalIam.from(template());
        BucketHostEndpoint.Authorizer authorizer = iam.downloadAuthorizer();
        String bucket = BUCKET.substring("arn:aws:s3:::".length());
        String versionReport = token(iam, "VersionReportFunction");

        assertThat(authorizer.refusal(new BucketHostEndpoint.Request(
                        "GET", bucket, "download-abc-def", Map.of("X-Amz-Security-Token", versionReport), true)))
                .isNull();
        assertThat(authorizer.refusal(new BucketHostEndpoint.Request(
                        "GET", bucket, "firmware/P/1.0/f.bin", Map.of("X-Amz-Security-Token", versionReport), true)))
                .contains("ota-local-VersionReportRole")
                .contains("s3:GetObject")
                .contains(BUCKET + "/firmware/P/1.0/f.bin");
        assertThat(authorizer.refusal(new BucketHostEndpoint.Request(
                        "GET", bucket, "download-abc-def", Map.of("X-Amz-Security-Token", "forged"), true)))
                .contains("not a session token");
        assertThat(authorizer.refusal(new BucketHostEndpoint.Request("GET", bucket, "anything", Map.of(), true)))
                .as("signed with the stand-ins' own key pair: an operator's URL, not a function's")
                .isNull();
        assertThat(iam.stats().downloads()).isEqualTo(3);
        assertThat(iam.stats().downloadsRefused()).isEqualTo(2);
    }

    @Test
    void aMissingKeyIsRefusedUnlessTheSignerMayListIt() {
        LocalIam iam = LocalIam.from(template());
        String bucket = BUCKET.substring("arn:aws:s3:::".length());

        assertThat(iam.downloadAuthorizer()
                        .refusal(new BucketHostEndpoint.Request(
                                "GET",
                                bucket,
                                "download-gone",
                                Map.of("X-Amz-Security-Token", token(iam, "VersionReportFunction")),
                                false)))
                .contains("s3:ListBucket");
    }

    private static String token(LocalIam iam, String function) {
        return ((software.amazon.awssdk.auth.credentials.AwsSessionCredentials)
                        iam.credentials(iam.role(function)).resolveCredentials())
                .sessionToken();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> props(Map<String, Object> root, String resource) {
        return (Map<String, Object>)
                ((Map<String, Object>) ((Map<String, Object>) root.get("Resources")).get(resource)).get("Properties");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> statements(Map<String, Object> root, String role) {
        Map<String, Object> policy =
                (Map<String, Object>) ((List<Object>) props(root, role).get("Policies")).get(0);
        return (List<Map<String, Object>>) ((Map<String, Object>) policy.get("PolicyDocument")).get("Statement");
    }
}
