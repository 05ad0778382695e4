package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every job operation through the real management-API handler, over the local HTTP API with SigV4,
 * on the real job engine: create, list, describe, statistics, per-device list, pause, resume,
 * retry and cancel one device, device status, cancel; and the refusals as 4xx JSON.
 */
class JobsApiIT {

    private final LocalStack stack = SharedStack.get();
    private final ApiClient api = ApiClient.local(stack.apiEndpoint());

    @Test
    void everyJobOperationThroughTheHttpApi() throws Exception {
        try (JobFixture f = new JobFixture("API", stack)) {
            f.firmware("2.0.0");
            for (String d : List.of("a-0", "a-1", "a-2", "a-3")) {
                f.reportVersion(d, "1.0.0");
            }
            String body = "{\"productId\":\"" + f.product + "\",\"targetVersion\":\"2.0.0\","
                    + "\"targets\":{\"type\":\"SOURCE_VERSIONS\",\"sourceVersions\":[\"1.0.0\"]},"
                    + "\"rollout\":{\"ratePerMinute\":2},\"inProgressTimeoutSeconds\":600,"
                    + "\"retry\":{\"maxAttempts\":2,\"retryableCodes\":[-1],\"intervalSeconds\":0},\"description\":\"via the API\"}";
            ApiClient.Response created = api.post("/jobs", body);
            assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
            String jobId = created.body().path("jobId").asText();
            assertThat(created.body().path("state").asText()).isEqualTo("IN_PROGRESS");
            assertThat(created.body().path("targetCount").asLong()).isEqualTo(4);

            ApiClient.Response listed = api.get("/jobs?productId=" + f.product);
            assertThat(listed.status()).isEqualTo(200);
            assertThat(listed.body().path("items").get(0).path("jobId").asText())
                    .isEqualTo(jobId);

            f.tick();
            assertThat(f.updatedDevices()).hasSize(2);
            JsonNode stats = api.get("/jobs/" + jobId + "/statistics").body();
            assertThat(stats.path("counts").path("DELIVERED").asLong()).isEqualTo(2);
            assertThat(stats.path("counts").path("QUEUED").asLong()).isEqualTo(2);
            assertThat(stats.path("queued").asLong()).isEqualTo(2);
            JsonNode delivered =
                    api.get("/jobs/" + jobId + "/devices?status=DELIVERED").body();
            assertThat(delivered.path("items")).hasSize(2);
            List<String> first = new ArrayList<>();
            delivered.path("items").forEach(i -> first.add(i.path("deviceName").asText()));

            assertThat(api.post("/jobs/" + jobId + "/pause", "{}")
                            .body()
                            .path("state")
                            .asText())
                    .isEqualTo("PAUSED");
            f.advance(Duration.ofMinutes(2));
            f.tick();
            assertThat(f.updatedDevices()).as("paused: nothing released").hasSize(2);
            assertThat(api.post("/jobs/" + jobId + "/resume", "{}")
                            .body()
                            .path("state")
                            .asText())
                    .isEqualTo("IN_PROGRESS");

            String failing = first.get(0);
            f.fail(failing, "2.0.0", -2);
            assertThat(api.get("/jobs/" + jobId + "/devices?status=FAILED")
                            .body()
                            .path("items")
                            .get(0)
                            .path("resultCode")
                            .asInt())
                    .isEqualTo(-2);
            ApiClient.Response retried = api.post("/jobs/" + jobId + "/devices/" + failing + "/retry", "{}");
            assertThat(retried.status()).as(String.valueOf(retried.body())).isEqualTo(200);
            assertThat(retried.body().path("status").asText()).isEqualTo("DELIVERED");
            assertThat(retried.body().path("attempt").asInt()).isEqualTo(1);
            assertThat(f.updatedDevices())
                    .as("the operator's retry sends at once")
                    .hasSize(3);

            JsonNode device = api.get("/devices/" + f.product + "/" + failing).body();
            assertThat(device.path("currentVersion").asText()).isEqualTo("1.0.0");
            assertThat(device.path("liveExecution").path("jobId").asText()).isEqualTo(jobId);

            ApiClient.Response canceledDevice =
                    api.post("/jobs/" + jobId + "/devices/" + first.get(1) + "/cancel", "{}");
            assertThat(canceledDevice.body().path("status").asText()).isEqualTo("CANCELED");

            JsonNode canceled = api.post("/jobs/" + jobId + "/cancel", "{}").body();
            assertThat(canceled.path("state").asText()).isEqualTo("CANCELED");
            ApiClient.Response again = api.post("/jobs/" + jobId + "/pause", "{}");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body().path("code").asText()).isEqualTo("JOB_NOT_ACTIVE");
            f.tick();
            JsonNode end = api.get("/jobs/" + jobId + "/statistics").body();
            assertThat(end.path("counts").path("CANCELED").asLong()).isEqualTo(4);
            assertThat(end.path("retries").asLong())
                    .as("the operator's retry after a failure")
                    .isEqualTo(1);
            assertThat(end.path("targetCount").asLong()).isEqualTo(4);
            List<String> timeline = new ArrayList<>();
            api.get("/jobs/" + jobId)
                    .body()
                    .path("events")
                    .forEach(e -> timeline.add(e.path("kind").asText()));
            assertThat(timeline)
                    .as("the job's timeline, stored with each change")
                    .containsExactly("CREATED", "STARTED", "PAUSED", "RESUMED", "CANCELED");
        }
    }

    @Test
    void aDryRunCountsTheDevicesAJobWouldTargetAndCreatesNothing() throws Exception {
        try (JobFixture f = new JobFixture("APIDRY", stack)) {
            f.firmware("2.0.0");
            for (String d : List.of("a-0", "a-1", "a-2")) {
                f.reportVersion(d, "1.0.0");
            }
            f.reportVersion("b-0", "1.5.0");
            f.reportVersion("c-0", "2.0.0");
            String job = "{\"productId\":\"" + f.product + "\",\"targetVersion\":\"2.0.0\",\"targets\":";

            ApiClient.Response versions =
                    api.post("/jobs/dry-run", job + "{\"type\":\"SOURCE_VERSIONS\",\"sourceVersions\":[\"1.0.0\"]}}");
            assertThat(versions.status()).as(String.valueOf(versions.body())).isEqualTo(200);
            assertThat(versions.body().path("targets").asLong()).isEqualTo(3);
            assertThat(versions.body().path("complete").asBoolean()).isTrue();
            JsonNode product =
                    api.post("/jobs/dry-run", job + "{\"type\":\"PRODUCT\"}}").body();
            assertThat(product.path("targets").asLong())
                    .as("every device not on 2.0.0 yet")
                    .isEqualTo(4);
            JsonNode list = api.post(
                            "/jobs/dry-run",
                            job + "{\"type\":\"DEVICE_LIST\",\"deviceNames\":[\"a-0\",\"a-1\",\"a-0\"]}}")
                    .body();
            assertThat(list.path("targets").asLong())
                    .as("a repeated name is one device")
                    .isEqualTo(2);
            ApiClient.Response badName =
                    api.post("/jobs/dry-run", job + "{\"type\":\"DEVICE_LIST\",\"deviceNames\":[\"x y\"]}}");
            assertThat(badName.status()).as("refused as a create is").isEqualTo(400);

            ApiClient.Response noFirmware = api.post(
                    "/jobs/dry-run",
                    "{\"productId\":\"" + f.product
                            + "\",\"targetVersion\":\"9.9.9\",\"targets\":{\"type\":\"PRODUCT\"}}");
            assertThat(noFirmware.status()).as("refused as a create is").isEqualTo(409);
            assertThat(noFirmware.body().path("code").asText()).isEqualTo("FIRMWARE_NOT_AVAILABLE");
            assertThat(api.get("/jobs?productId=" + f.product).body().path("items"))
                    .as("a dry run creates no job")
                    .isEmpty();

            ApiClient.Response created = api.post("/jobs", job + "{\"type\":\"PRODUCT\"}}");
            assertThat(created.body().path("targetCount").asLong())
                    .as("the job targets what the dry run counted")
                    .isEqualTo(product.path("targets").asLong());
            api.post("/jobs/" + created.body().path("jobId").asText() + "/cancel", "{}");
        }
    }

    @Test
    void refusalsAre4xxJson() throws Exception {
        try (JobFixture f = new JobFixture("APIBAD", stack)) {
            f.firmware("2.0.0");
            ApiClient.Response unknown = api.get("/jobs/no-such-job");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.body().path("code").asText()).isEqualTo("NOT_FOUND");
            ApiClient.Response noFirmware = api.post(
                    "/jobs",
                    "{\"productId\":\"" + f.product + "\",\"targetVersion\":\"9.9.9\","
                            + "\"targets\":{\"type\":\"PRODUCT\"}}");
            assertThat(noFirmware.status()).isEqualTo(409);
            assertThat(noFirmware.body().path("code").asText()).isEqualTo("FIRMWARE_NOT_AVAILABLE");
            ApiClient.Response shortTimeout = api.post(
                    "/jobs",
                    "{\"productId\":\"" + f.product + "\",\"targetVersion\":\"2.0.0\","
                            + "\"targets\":{\"type\":\"PRODUCT\"},\"inProgressTimeoutSeconds\":5}");
            assertThat(shortTimeout.status()).isEqualTo(400);
            assertThat(shortTimeout.body().path("message").asText()).contains("inProgressTimeout");
            ApiClient.Response badRate = api.post(
                    "/jobs",
                    "{\"productId\":\"" + f.product + "\",\"targetVersion\":\"2.0.0\","
                            + "\"targets\":{\"type\":\"PRODUCT\"},\"rollout\":{\"ratePerMinute\":100001}}");
            assertThat(badRate.status()).isEqualTo(400);
        }
    }
}
