package dev.ota.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.local.iam.LocalIam;
import dev.ota.local.iam.Permission;
import dev.ota.local.standin.RepoRoot;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ExistingFirmwareBucket: every reference to the firmware bucket (the functions' FIRMWARE_BUCKET,
 * the roles' S3 resources, the S3 notification and its Lambda permission, the outputs) follows the
 * one value that says which bucket is in use.
 */
class FirmwareBucketSwitchTest {

    private static final Path TEMPLATE = RepoRoot.find().resolve("template.yaml");
    private static final String OWN = "ota-firmware-123456789012-00000000-0000-0000-0000-000000000000";
    private static final String ESTATE = "plant-firmware-estate";

    @Test
    void byDefaultTheStackMakesItsOwnBucketAndSubscribesRegistrationToIt() {
        SamTemplate template = SamTemplate.load(TEMPLATE, Map.of());

        assertThat(template.resourcesOfType("AWS::S3::Bucket")).containsExactly("FirmwareBucket");
        assertThat(template.resourcesOfType("AWS::S3::BucketPolicy")).containsExactly("FirmwareBucketPolicy");
        assertThat(template.physicalName("FirmwareBucket")).isEqualTo(OWN);
        assertEverythingNames(template, OWN);
    }

    @Test
    void withAnExistingBucketTheStackMakesNoBucketAndEverythingNamesTheExistingOne() {
        SamTemplate template = SamTemplate.load(TEMPLATE, Map.of("ExistingFirmwareBucket", ESTATE));

        assertThat(template.resourcesOfType("AWS::S3::Bucket")).isEmpty();
        assertThat(template.resourcesOfType("AWS::S3::BucketPolicy")).isEmpty();
        assertEverythingNames(template, ESTATE);
    }

    private static void assertEverythingNames(SamTemplate template, String bucket) {
        assertThat(template.functions())
                .allSatisfy(f -> assertThat(f.environment()).containsEntry("FIRMWARE_BUCKET", bucket));
        // The notification: on the bucket in use, for objects under firmware/, to the registration alias.
        assertThat(template.s3Triggers()).singleElement().satisfies(t -> {
            assertThat(t.bucket()).isEqualTo(bucket);
            assertThat(t.functionLogicalId()).isEqualTo("FirmwareRegistrationFunction");
            assertThat(t.functionArn()).endsWith("-FirmwareRegistrationFunction:live");
            assertThat(t.matches("s3:ObjectCreated:Put", "firmware/P/1.0.0/f.bin"))
                    .isTrue();
            assertThat(t.matches("s3:ObjectCreated:Put", "device-lists/x.txt")).isFalse();
        });
        assertThat(template.lambdaPermissions())
                .anyMatch(p -> p.allows(
                        "s3.amazonaws.com",
                        template.s3Triggers().get(0).functionArn(),
                        "arn:aws:s3:::" + bucket,
                        "123456789012"))
                .noneMatch(p ->
                        p.principal().equals("s3.amazonaws.com") && !("arn:aws:s3:::" + bucket).equals(p.sourceArn()));
        // The roles may use the bucket in use, and no other.
        LocalIam iam = LocalIam.from(template);
        String other = bucket.equals(OWN) ? ESTATE : OWN;
        assertThat(allowed(iam, "FirmwareRegistrationFunction", "s3:GetObject", bucket + "/firmware/P/1.0/f.bin"))
                .isTrue();
        assertThat(allowed(iam, "FirmwareRegistrationFunction", "s3:GetObject", other + "/firmware/P/1.0/f.bin"))
                .isFalse();
        assertThat(allowed(iam, "JobWorkerFunction", "s3:GetObject", bucket + "/device-lists/a.txt"))
                .isTrue();
        assertThat(allowed(iam, "VersionReportFunction", "s3:GetObject", bucket + "/download-abc-def"))
                .isTrue();
    }

    private static boolean allowed(LocalIam iam, String function, String action, String object) {
        return iam.evaluate(iam.role(function), new Permission(action, "arn:aws:s3:::" + object))
                .allowed();
    }
}
