package dev.ota.function.jobengine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.testing.SampleEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * JobWorkerHandler's SQS batch contract (ReportBatchItemFailures) on events/job-worker-sqs.json and
 * batches made from its record: a body that is no work message is logged and dropped, a record
 * whose work fails is reported alone in {@code batchItemFailures}, the rest of the batch is done.
 * The job engine runs on {@link StubScheduler}'s stand-ins, so the work itself is a PLAN of a job
 * that does not exist (one read, nothing more); planning real jobs needs in-memory job and rollout
 * stores (ota-test-fixtures, to come).
 */
class JobWorkerHandlerTest {

    private static final JsonNode SAMPLE = SampleEvents.json("job-worker-sqs.json");
    private static final String SAMPLE_JOB = "3fe202b4-6dfb-4097-92c4-f4766d43dfcb";

    private final StubScheduler scheduler = new StubScheduler("job-worker");
    private final JobWorkerHandler handler = new JobWorkerHandler(scheduler.wiring);

    /** An SQS event of the sample's record shape, one record per (messageId, body). */
    private static byte[] batch(String... idsAndBodies) throws Exception {
        ObjectNode event = StubScheduler.JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (int i = 0; i < idsAndBodies.length; i += 2) {
            ObjectNode record = SAMPLE.path("Records").get(0).deepCopy();
            record.put("messageId", idsAndBodies[i]).put("body", idsAndBodies[i + 1]);
            records.add(record);
        }
        return StubScheduler.JSON.writeValueAsBytes(event);
    }

    private static String plan(String jobId) {
        return "{\"kind\":\"PLAN\",\"jobId\":\"" + jobId + "\"}";
    }

    @Test
    void theSqsSampleIsDoneAndReportsNoFailure() throws Exception {
        JsonNode response = StubScheduler.invoke(handler, SampleEvents.bytes("job-worker-sqs.json"));

        assertThat(response.toString()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(SAMPLE.path("Records").get(0).path("body").asText()).isEqualTo(plan(SAMPLE_JOB));
        // A PLAN reads its job; this one does not exist, so there is nothing to plan and nothing to queue.
        assertThat(scheduler.dynamo.calls).containsExactly("GetItem " + StubScheduler.JOBS_TABLE + " " + SAMPLE_JOB);
        assertThat(scheduler.queue.batches).isEmpty();
        assertThat(scheduler.logged())
                .noneMatch(line -> line.path("level").asText().matches("WARN|ERROR"));
    }

    @Test
    void bodiesThatAreNoWorkMessageAreLoggedAndDroppedNotRedelivered() throws Exception {
        JsonNode response = StubScheduler.invoke(
                handler,
                batch(
                        "m-not-json", "this is not JSON",
                        "m-empty", "",
                        "m-no-kind", "{\"jobId\":\"job-1\"}",
                        "m-unknown-kind", "{\"kind\":\"REBOOT\",\"jobId\":\"job-1\"}"));

        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(scheduler.dynamo.calls).as("no work was attempted").isEmpty();
        assertThat(scheduler.queue.batches).isEmpty();
        List<JsonNode> rejected = scheduler.logged().stream()
                .filter(line -> line.path("event").asText().equals("work_message_rejected"))
                .toList();
        assertThat(rejected)
                .extracting(line -> line.path("messageId").asText())
                .containsExactly("m-not-json", "m-empty", "m-no-kind", "m-unknown-kind");
        assertThat(rejected).allSatisfy(line -> {
            assertThat(line.path("level").asText()).isEqualTo("WARN");
            assertThat(line.path("reason").asText()).isNotBlank();
        });
    }

    @Test
    void aRecordWhoseWorkFailsIsReportedAloneAndTheRestOfTheBatchIsDone() throws Exception {
        scheduler.dynamo.throttled.add("job-throttled");

        JsonNode response = StubScheduler.invoke(
                handler,
                batch(
                        "m-1", plan("job-1"),
                        "m-throttled", plan("job-throttled"),
                        "m-bad", "{\"kind\":\"PLAN\"}",
                        "m-2", plan("job-2")));

        assertThat(response.toString()).isEqualTo("{\"batchItemFailures\":[{\"itemIdentifier\":\"m-throttled\"}]}");
        String get = "GetItem " + StubScheduler.JOBS_TABLE + " ";
        assertThat(scheduler.dynamo.calls).containsExactly(get + "job-1", get + "job-throttled", get + "job-2");
        assertThat(scheduler.logged())
                .filteredOn(line -> line.path("event").asText().equals("work_failed"))
                .singleElement()
                .satisfies(line -> {
                    assertThat(line.path("level").asText()).isEqualTo("ERROR");
                    assertThat(line.path("messageId").asText()).isEqualTo("m-throttled");
                    assertThat(line.path("kind").asText()).isEqualTo("PLAN");
                    assertThat(line.path("jobId").asText()).isEqualTo("job-throttled");
                    assertThat(line.path("error").asText()).contains("ProvisionedThroughputExceededException");
                });
        assertThat(scheduler.logged())
                .filteredOn(line -> line.path("event").asText().equals("work_message_rejected"))
                .extracting(line -> line.path("messageId").asText())
                .containsExactly("m-bad");
    }
}
