package dev.ota.it;

import static dev.ota.it.OtaTables.n;
import static dev.ota.it.OtaTables.s;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.digest.FirmwareDigests;
import dev.ota.local.stack.LocalStack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sample events in events/ do what they are for when invoked directly on their functions, as
 * {@code sam local invoke -e events/...} or {@code aws lambda invoke} would: register the firmware,
 * record the version, start the update, and walk device-001 through downloading, burning and done.
 */
class SampleEventsIT {

    private static final Path EVENTS = SharedStack.repo().resolve("events");
    /** Every good sample and the function it is for; a new sample without a line here fails the test. */
    private static final Map<String, String> SAMPLES = Map.ofEntries(
            Map.entry("register-firmware.json", "FirmwareRegistrationFunction"),
            Map.entry("s3-object-created.json", "FirmwareRegistrationFunction"),
            Map.entry("report-version.json", "VersionReportFunction"),
            Map.entry("update-devices.json", "UpdateDevicesFunction"),
            Map.entry("progress-downloading.json", "ProgressReportFunction"),
            Map.entry("progress-downloading-numbers.json", "ProgressReportFunction"),
            Map.entry("progress-burning.json", "ProgressReportFunction"),
            Map.entry("progress-done.json", "ProgressReportFunction"),
            Map.entry("progress-fail.json", "ProgressReportFunction"),
            Map.entry("management-api-list-firmware.json", "ManagementApiFunction"),
            Map.entry("job-tick-schedule.json", "JobSchedulerFunction"),
            Map.entry("job-worker-sqs.json", "JobWorkerFunction"));

    private static final List<String> PROGRESS_IN_ORDER = List.of(
            "progress-downloading.json",
            "progress-downloading-numbers.json",
            "progress-burning.json",
            "progress-done.json");

    private final LocalStack stack = SharedStack.get();

    @Test
    void everyGoodSampleIsCovered() throws IOException {
        try (Stream<Path> files = Files.list(EVENTS)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".json")))
                    .containsExactlyInAnyOrderElementsOf(SAMPLES.keySet());
        }
    }

    @Test
    void samplesWorkInOrder() throws Exception {
        JsonNode registration = sample("register-firmware.json");
        String productId = registration.path("productId").asText();
        String version = registration.path("version").asText();
        // The object the samples name, as big as s3-object-created.json says it is.
        JsonNode s3Object = sample("s3-object-created.json")
                .path("Records")
                .get(0)
                .path("s3")
                .path("object");
        assertThat(s3Object.path("key").asText())
                .isEqualTo(registration.path("s3Key").asText());
        byte[] firmware = SharedStack.firmwareBytes(s3Object.path("size").asInt(), 99);
        try (S3Client s3 = stack.aws().s3()) {
            s3.putObject(
                    r -> r.bucket(LocalStack.BUCKET)
                            .key(registration.path("s3Key").asText()),
                    RequestBody.fromBytes(firmware));
        }

        JsonNode registered = invoke("register-firmware.json");
        assertThat(registered.path("outcome").asText()).isEqualTo("REGISTERED");
        JsonNode fw = registered.path("firmware").get(0);
        assertThat(fw.path("productId").asText()).isEqualTo(productId);
        assertThat(fw.path("version").asText()).isEqualTo(version);
        assertThat(fw.path("fileSize").asLong()).isEqualTo(firmware.length);
        assertThat(fw.path("md5sum").asText()).isEqualTo(FirmwareDigests.md5Hex(firmware));
        Map<String, AttributeValue> item = OtaTables.get(
                stack,
                "FirmwareTable",
                Map.of("productId", AttributeValue.fromS(productId), "version", AttributeValue.fromS(version)));
        // The upload's own S3 notification may have registered it first (the local stack delivers the
        // template's notifications, as AWS does); registering the same bytes again changes nothing.
        assertThat(s(item, "firmwareState")).isEqualTo("AVAILABLE");
        assertThat(s(item, "md5sum")).isEqualTo(FirmwareDigests.md5Hex(firmware));

        // The same object's S3 notification (the bucket name in the sample is illustrative): registered again, same
        // record.
        JsonNode notified = invoke("s3-object-created.json");
        assertThat(notified.path("outcome").asText()).isEqualTo("REGISTERED");
        assertThat(notified.path("firmware").get(0).path("md5sum").asText())
                .isEqualTo(fw.path("md5sum").asText());

        JsonNode reportVersion = sample("report-version.json");
        String deviceName = reportVersion.path("deviceName").asText();
        assertThat(invoke("report-version.json").path("outcome").asText())
                .as("no live update yet")
                .isEqualTo("IGNORED");
        Map<String, AttributeValue> device = OtaTables.device(stack, productId, deviceName);
        assertThat(s(device, "currentVersion"))
                .isEqualTo(reportVersion.path("report").path("version").asText());
        assertThat(n(device, "lastSeenAt"))
                .isEqualTo(reportVersion.path("receivedAt").asLong());

        JsonNode update = invoke("update-devices.json");
        List<String> names = SharedStack.JSON.convertValue(
                sample("update-devices.json").path("deviceNames"),
                SharedStack.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        assertThat(update.path("delivered")).extracting(JsonNode::asText).containsExactlyElementsOf(names);
        assertThat(update.path("skipped").size()).isZero();
        String jobId = update.path("jobId").asText();
        assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of("DELIVERED", (long) names.size()));
        assertThat(n(OtaTables.job(stack, jobId), "maxAttempts")).isEqualTo(3);
        long attemptStartedAt = n(OtaTables.device(stack, productId, deviceName), "execAttemptStartedAt");

        // Verbatim, the progress samples are valid reports, but their fixed receivedAt (the broker's
        // timestamp()) is older than an update started today, so they are ignored as stale: nothing moves.
        for (String file : PROGRESS_IN_ORDER) {
            assertThat(invoke(file).path("outcome").asText())
                    .as(file + " verbatim")
                    .isEqualTo("IGNORED");
        }
        assertThat(s(OtaTables.device(stack, productId, deviceName), "execStatus"))
                .isEqualTo("DELIVERED");

        // With receivedAt moved past the attempt's start (order and spacing kept), they walk the update to done.
        long shift = attemptStartedAt - reportVersion.path("receivedAt").asLong();
        String[][] expected = {{"DOWNLOADING", "10"}, {"DOWNLOADING", "55"}, {"BURNING", "100"}, {"SUCCEEDED", "100"}};
        for (int i = 0; i < PROGRESS_IN_ORDER.size(); i++) {
            String file = PROGRESS_IN_ORDER.get(i);
            assertThat(invokeShifted(file, shift, null).path("outcome").asText())
                    .as(file)
                    .isEqualTo("APPLIED");
            device = OtaTables.device(stack, productId, deviceName);
            assertThat(s(device, "execStatus")).as(file).isEqualTo(expected[i][0]);
            assertThat(n(device, "execPercent")).as(file).isEqualTo(Long.parseLong(expected[i][1]));
        }
        // The fail sample, on the other device of the update: a retryable -1 leaves it RETRY_PENDING.
        String other =
                names.stream().filter(n -> !n.equals(deviceName)).findFirst().orElseThrow();
        assertThat(invokeShifted("progress-fail.json", shift, other)
                        .path("outcome")
                        .asText())
                .isEqualTo("APPLIED");
        Map<String, AttributeValue> failed = OtaTables.execution(stack, jobId, other);
        assertThat(s(failed, "status")).isEqualTo("RETRY_PENDING");
        assertThat(n(failed, "resultCode")).isEqualTo(-1);
        assertThat(s(failed, "resultMsg")).isEqualTo("time_out");

        assertThat(s(OtaTables.execution(stack, jobId, deviceName), "status")).isEqualTo("SUCCEEDED");
        assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of("SUCCEEDED", 1L, "RETRY_PENDING", 1L));
    }

    @Test
    void everySampleNamesAFunctionOfTheTemplate() {
        assertThat(stack.functions().keySet()).containsAll(SAMPLES.values());
    }

    /**
     * The API and worker samples, as API Gateway and SQS deliver them; both change nothing here (a
     * read, and a PLAN of a job that does not exist). The tick sample is not invoked on this shared
     * stack, because it would plan the other tests' jobs; JobTickHandlerTest runs it.
     */
    @Test
    void apiAndWorkerSamplesAreAnswered() throws Exception {
        JsonNode list = invoke("management-api-list-firmware.json");
        assertThat(list.path("statusCode").asInt()).as(list.toString()).isEqualTo(200);
        assertThat(SharedStack.JSON
                        .readTree(list.path("body").asText())
                        .path("items")
                        .isArray())
                .isTrue();

        JsonNode work = invoke("job-worker-sqs.json");
        assertThat(work.path("batchItemFailures").isArray()).as(work.toString()).isTrue();
        assertThat(work.path("batchItemFailures")).isEmpty();

        JsonNode tick = sample("job-tick-schedule.json");
        assertThat(tick.path("detail-type").asText()).isEqualTo("Scheduled Event");
        assertThat(tick.path("source").asText()).isEqualTo("aws.events");
    }

    private static JsonNode sample(String file) throws IOException {
        return SharedStack.JSON.readTree(EVENTS.resolve(file).toFile());
    }

    private JsonNode invoke(String file) throws Exception {
        JsonNode response =
                SharedStack.JSON.readTree(stack.invoke(SAMPLES.get(file), Files.readAllBytes(EVENTS.resolve(file))));
        assertThat(response.path("outcome").asText())
                .as(file + " -> " + response)
                .isNotEqualTo("REJECTED");
        return response;
    }

    private JsonNode invokeShifted(String file, long shift, String deviceName) throws Exception {
        ObjectNode event = (ObjectNode) sample(file);
        event.put("receivedAt", event.path("receivedAt").asLong() + shift);
        if (deviceName != null) {
            event.put("deviceName", deviceName)
                    .put(
                            "clientId",
                            dev.ota.domain.device.ThingName.of(
                                            event.path("productId").asText(), deviceName)
                                    .value());
        }
        return SharedStack.JSON.readTree(
                stack.invoke(SAMPLES.get(file), event.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
