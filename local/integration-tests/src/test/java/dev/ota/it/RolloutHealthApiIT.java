package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.stack.LocalStack;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rollout health through the real management API over the local HTTP API with SigV4, the function
 * running as its template role: a job's stages with their counts and verdict, its failures by result
 * code, the fleet's versions (Select=COUNT on byProductVersion), and the IAM caller kept on the job
 * for create, pause, resume and cancel.
 */
class RolloutHealthApiIT {

    /** The caller the local HTTP API's IAM authorizer names (LocalHttpApi). */
    private static final String LOCAL_CALLER = "arn:aws:iam::000000000000:user/local";

    private final LocalStack stack = SharedStack.get();
    private final ApiClient api = ApiClient.local(stack.apiEndpoint());

    @Test
    void healthVersionsAndActorsThroughTheHttpApi() throws Exception {
        try (JobFixture f = new JobFixture("HEALTH", stack)) {
            f.firmware("2.0.0");
            List<String> devices = List.of("h-0", "h-1", "h-2", "h-3", "h-4");
            for (String d : devices) {
                f.reportVersion(d, "1.0.0");
            }
            f.reportVersion("h-5", "1.1.0");

            ApiClient.Response versions = api.get("/products/" + f.product + "/versions");
            assertThat(versions.status()).as(String.valueOf(versions.body())).isEqualTo(200);
            assertThat(versions.body().path("devices").asLong()).isEqualTo(6);
            assertThat(versions.body().path("versions").toString())
                    .isEqualTo("[{\"version\":\"1.0.0\",\"devices\":5,\"percent\":83.33},"
                            + "{\"version\":\"1.1.0\",\"devices\":1,\"percent\":16.67}]");

            ApiClient.Response created = api.post(
                    "/jobs",
                    "{\"productId\":\"" + f.product + "\",\"targetVersion\":\"2.0.0\","
                            + "\"targets\":{\"type\":\"DEVICE_LIST\",\"deviceNames\":[\"h-0\",\"h-1\",\"h-2\",\"h-3\",\"h-4\"]},"
                            + "\"rollout\":{\"ratePerMinute\":100},\"retry\":{\"maxAttempts\":1},"
                            + "\"stages\":[{\"deviceCount\":3,\"successThresholdPercent\":100,"
                            + "\"failureThresholdPercent\":50,\"minDevicesForFailure\":2},"
                            + "{\"percent\":100,\"successThresholdPercent\":0,\"failureThresholdPercent\":0}]}");
            assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
            String jobId = created.body().path("jobId").asText();
            assertThat(created.body().path("createdBy").asText()).isEqualTo(LOCAL_CALLER);

            f.tick();
            List<String> released = f.updatedDevices();
            assertThat(released).as("stage 1 holds 3 devices").hasSize(3);
            f.fail(released.get(0), "2.0.0", -4);
            f.fail(released.get(1), "2.0.0", -3);

            ApiClient.Response health = api.get("/jobs/" + jobId + "/health");
            assertThat(health.status()).as(String.valueOf(health.body())).isEqualTo(200);
            JsonNode h = health.body();
            assertThat(h.path("stages")).hasSize(2);
            JsonNode first = h.path("stages").get(0);
            assertThat(first.path("phase").asText()).isEqualTo("CURRENT");
            assertThat(first.path("size").asLong()).isEqualTo(3);
            assertThat(first.path("entered").asLong()).isEqualTo(3);
            assertThat(first.path("failed").asLong()).isEqualTo(2);
            assertThat(first.path("live").asLong()).isEqualTo(1);
            assertThat(first.path("failurePercent").asDouble()).isEqualTo(100.0);
            assertThat(first.path("verdict").asText())
                    .as("2 of 2 finished failed, over 50%")
                    .isEqualTo("PAUSE");
            JsonNode second = h.path("stages").get(1);
            assertThat(second.path("phase").asText()).isEqualTo("PENDING");
            assertThat(second.path("size").asLong()).isEqualTo(2);
            assertThat(second.path("entered").asLong()).isZero();
            assertThat(h.path("failuresByCode").path("-4").asLong()).isEqualTo(1);
            assertThat(h.path("failuresByCode").path("-3").asLong()).isEqualTo(1);
            assertThat(h.path("failuresByCode").path("-1").asLong()).isZero();
            assertThat(h.path("failuresByCode").path("timeout").asLong()).isZero();
            assertThat(h.path("failuresComplete").asBoolean()).isTrue();
            assertThat(h.path("createdBy").asText()).isEqualTo(LOCAL_CALLER);

            assertThat(api.post("/jobs/" + jobId + "/pause", null).status()).isEqualTo(200);
            assertThat(api.post("/jobs/" + jobId + "/resume", null).status()).isEqualTo(200);
            ApiClient.Response canceled = api.post("/jobs/" + jobId + "/cancel", null);
            assertThat(canceled.status()).isEqualTo(200);
            JsonNode job = api.get("/jobs/" + jobId).body();
            assertThat(job.path("pausedBy").asText()).isEqualTo(LOCAL_CALLER);
            assertThat(job.path("resumedBy").asText()).isEqualTo(LOCAL_CALLER);
            assertThat(job.path("canceledBy").asText()).isEqualTo(LOCAL_CALLER);
            assertThat(api.get("/jobs/" + jobId + "/health")
                            .body()
                            .path("stages")
                            .get(0)
                            .path("verdict")
                            .isNull())
                    .as("an ended job has no verdict")
                    .isTrue();

            assertThat(api.get("/jobs/nope/health").status()).isEqualTo(404);
        }
    }
}
