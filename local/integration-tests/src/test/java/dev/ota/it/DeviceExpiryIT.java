package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.domain.device.ThingName;
import dev.ota.local.stack.LocalStack;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Devices table's TTL, as the functions really write it to the table (DynamoDbDeviceStateStore
 * through VersionReportFunction and UpdateDevicesFunction on the local stack): a device that never
 * took an update expires 90 days after its latest version report ({@code expiresAt}, a Number of
 * epoch seconds); once it takes an update, {@code expiresAt} is no Number (the job id, a String,
 * which DynamoDB's TTL ignores) and stays so. The local stack does not delete expired items, so what
 * is tested is the attribute DynamoDB would act on.
 */
class DeviceExpiryIT {

    private static final String PRODUCT = "TTLIT";
    private static final Duration RETENTION = Duration.ofDays(90);

    private final LocalStack stack = SharedStack.get();

    @Test
    void theTemplatesTtlIsOnTheAttributeTheFunctionsWrite() throws Exception {
        String template = Files.readString(SharedStack.repo().resolve("template.yaml"));
        int start = template.indexOf("\n  DevicesTable:");
        assertThat(start).isPositive();
        java.util.regex.Matcher nextResource =
                Pattern.compile("\n  [A-Za-z0-9]+:\\s*\n").matcher(template);
        String devicesTable =
                template.substring(start, nextResource.find(start + 1) ? nextResource.start() : template.length());
        assertThat(Pattern.compile("TimeToLiveSpecification:\\s+AttributeName: expiresAt\\s+Enabled: true")
                        .matcher(devicesTable)
                        .find())
                .as("DevicesTable's TimeToLiveSpecification names expiresAt")
                .isTrue();
    }

    @Test
    void aDeviceThatNeverTookAnUpdateExpires90DaysAfterItsLatestReportAndOneThatTookOneNever() throws Exception {
        Instant first = Instant.now().minus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        report("quiet", "1.0.0", first);
        report("updated", "1.0.0", first);
        AttributeValue expires = expiresAt("quiet");
        assertThat(expires.n())
                .as("a Number: " + expires)
                .isEqualTo(String.valueOf(first.plus(RETENTION).getEpochSecond()));

        // A later report moves it: 90 days after the latest report.
        Instant later = first.plus(Duration.ofMinutes(30)).plusMillis(789);
        report("quiet", "1.0.0", later);
        assertThat(expiresAt("quiet").n())
                .isEqualTo(String.valueOf(later.plus(RETENTION).getEpochSecond()));

        // "updated" takes an update: expiresAt is no Number any more, but the execution's job id.
        JsonNode registered =
                SharedStack.uploadAndRegister(stack, PRODUCT, "1.1.0", SharedStack.firmwareBytes(5_000, 17));
        assertThat(registered.path("outcome").asText()).isEqualTo("REGISTERED");
        JsonNode update = SharedStack.invoke(
                stack,
                "UpdateDevicesFunction",
                "{\"productId\":\"" + PRODUCT + "\",\"version\":\"1.1.0\",\"deviceNames\":[\"updated\"]}");
        assertThat(update.path("delivered")).extracting(JsonNode::asText).containsExactly("updated");
        String jobId = update.path("jobId").asText();
        AttributeValue taken = expiresAt("updated");
        assertThat(taken.n())
                .as("no Number once the device took an update: " + taken)
                .isNull();
        assertThat(taken.s()).isEqualTo(jobId);

        // Its later version reports leave it so; the other device still expires.
        report("updated", "1.0.0", Instant.now());
        AttributeValue afterReport = expiresAt("updated");
        assertThat(afterReport.n()).isNull();
        assertThat(afterReport.s()).isEqualTo(jobId);
        assertThat(expiresAt("quiet").n())
                .isEqualTo(String.valueOf(later.plus(RETENTION).getEpochSecond()));
    }

    private void report(String deviceName, String version, Instant receivedAt) throws Exception {
        JsonNode result = SharedStack.invoke(
                stack,
                "VersionReportFunction",
                "{\"type\":\"report_version\",\"report\":{\"version\":\"" + version
                        + "\"},\"productId\":\"" + PRODUCT + "\",\"deviceName\":\"" + deviceName + "\",\"clientId\":\""
                        + ThingName.of(PRODUCT, deviceName).value() + "\",\"receivedAt\":" + receivedAt.toEpochMilli()
                        + "}");
        assertThat(result.path("outcome").asText()).as(result.toString()).isIn("IGNORED", "APPLIED");
    }

    private AttributeValue expiresAt(String deviceName) {
        Map<String, AttributeValue> item = OtaTables.device(stack, PRODUCT, deviceName);
        assertThat(item).as("DevicesTable item of " + deviceName).containsKey("expiresAt");
        return item.get("expiresAt");
    }
}
