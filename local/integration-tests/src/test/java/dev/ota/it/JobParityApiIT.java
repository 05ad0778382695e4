package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.stack.LocalStack;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operations that match AWS IoT Jobs', through the real management API over the local HTTP
 * API with SigV4, each function running as its template role: idempotent create with a client
 * token, update of a live job, delete of a finished one (refused while it runs), and a device's
 * executions across jobs.
 */
class JobParityApiIT {

    private final LocalStack stack = SharedStack.get();
    private final ApiClient api = ApiClient.local(stack.apiEndpoint());

    @Test
    void tokenUpdateHistoryAndDeleteThroughTheHttpApi() throws Exception {
        try (JobFixture f = new JobFixture("PARITY", stack)) {
            f.firmware("2.0.0");
            List<String> devices = List.of("p-0", "p-1", "p-2");
            for (String d : devices) {
                f.reportVersion(d, "1.0.0");
            }
            String job = "\"productId\":\"" + f.product + "\",\"targetVersion\":\"2.0.0\","
                    + "\"targets\":{\"type\":\"SOURCE_VERSIONS\",\"sourceVersions\":[\"1.0.0\"]},"
                    + "\"rollout\":{\"ratePerMinute\":1}";

            // Idempotent create: the same request with the same token is the same job.
            ApiClient.Response first = api.post("/jobs", "{\"clientToken\":\"it-token-1\"," + job + "}");
            assertThat(first.status()).as(String.valueOf(first.body())).isEqualTo(201);
            String jobId = first.body().path("jobId").asText();
            ApiClient.Response again = api.post("/jobs", "{\"clientToken\":\"it-token-1\"," + job + "}");
            assertThat(again.status()).isEqualTo(201);
            assertThat(again.body().path("jobId").asText()).isEqualTo(jobId);
            ApiClient.Response other =
                    api.post("/jobs", "{\"clientToken\":\"it-token-1\"," + job + ",\"description\":\"another\"}");
            assertThat(other.status()).isEqualTo(409);
            assertThat(other.code()).isEqualTo("CLIENT_TOKEN_REUSED");
            assertThat(api.get("/jobs?productId=" + f.product).body().path("items"))
                    .as("one job made")
                    .hasSize(1);

            // Update of the live job: the rate goes from 1 to 100 a minute.
            f.tick();
            assertThat(f.updatedDevices()).hasSize(1);
            ApiClient.Response updated = api.send(
                    "PATCH",
                    "/jobs/" + jobId,
                    "{\"rollout\":{\"ratePerMinute\":100},\"inProgressTimeoutSeconds\":900,\"description\":\"faster\"}");
            assertThat(updated.status()).as(String.valueOf(updated.body())).isEqualTo(200);
            assertThat(updated.body()
                            .path("definition")
                            .path("rollout")
                            .path("ratePerMinute")
                            .asInt())
                    .isEqualTo(100);
            assertThat(updated.body().path("description").asText()).isEqualTo("faster");
            ApiClient.Response bad = api.send("PATCH", "/jobs/" + jobId, "{\"stages\":[{\"percent\":5}]}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.code()).isEqualTo("INVALID_REQUEST");
            f.advance(java.time.Duration.ofMinutes(1));
            f.tick();
            assertThat(f.updatedDevices()).as("the new rate released the rest").hasSize(3);

            // Delete is refused while the job runs.
            ApiClient.Response early = api.send("DELETE", "/jobs/" + jobId, null);
            assertThat(early.status()).isEqualTo(409);
            assertThat(early.code()).isEqualTo("JOB_NOT_FINISHED");

            for (String d : devices) {
                f.succeed(d, "2.0.0");
            }
            f.tick();
            assertThat(api.get("/jobs/" + jobId).body().path("state").asText()).isEqualTo("COMPLETED");

            // A second job of one device, then that device's history: newest job first.
            f.firmware("3.0.0");
            ApiClient.Response second = api.post(
                    "/jobs",
                    "{\"productId\":\"" + f.product + "\",\"targetVersion\":\"3.0.0\","
                            + "\"targets\":{\"type\":\"DEVICE_LIST\",\"deviceNames\":[\"p-0\"]}}");
            assertThat(second.status()).isEqualTo(201);
            String secondId = second.body().path("jobId").asText();
            JsonNode history =
                    api.get("/devices/" + f.product + "/p-0/executions").body();
            assertThat(history.path("items")).hasSize(2);
            assertThat(history.path("items").get(0).path("jobId").asText()).isEqualTo(secondId);
            assertThat(history.path("items").get(1).path("jobId").asText()).isEqualTo(jobId);
            assertThat(history.path("items").get(1).path("status").asText()).isEqualTo("SUCCEEDED");
            JsonNode page =
                    api.get("/devices/" + f.product + "/p-0/executions?limit=1").body();
            assertThat(page.path("items")).hasSize(1);
            assertThat(page.path("nextToken").isTextual()).isTrue();

            // Delete of the finished job: its executions go with it, history included.
            ApiClient.Response deleted = api.send("DELETE", "/jobs/" + jobId, null);
            assertThat(deleted.status()).as(String.valueOf(deleted.body())).isEqualTo(204);
            assertThat(api.get("/jobs/" + jobId).status()).isEqualTo(404);
            assertThat(api.get("/jobs/" + jobId + "/devices").status()).isEqualTo(404);
            JsonNode after =
                    api.get("/devices/" + f.product + "/p-0/executions").body();
            assertThat(after.path("items")).hasSize(1);
            assertThat(after.path("items").get(0).path("jobId").asText()).isEqualTo(secondId);
            assertThat(api.send("DELETE", "/jobs/" + jobId, null).status()).isEqualTo(404);
        }
    }
}
