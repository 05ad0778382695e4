package dev.ota.function.jobengine;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.app.jobs.WorkMessageJson;
import dev.ota.domain.job.WorkMessage;
import dev.ota.function.support.Observability;
import dev.ota.log.StructuredLog;
import dev.ota.wiring.JobWiring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The job work queue's consumer (SQS event source, ReportBatchItemFailures): each record is one
 * bounded piece of job work (see {@link WorkMessage}). A record that fails is reported back alone,
 * SQS redelivers it after the visibility timeout, and after five receives it goes to the dead-letter
 * queue. A body that is no work message is logged and dropped: redelivering it cannot help.
 */
public final class JobWorkerHandler implements RequestStreamHandler {

    private final ObjectMapper json;
    private final JobWiring wiring;

    /** Lambda's constructor: the wiring is built here, once per container. */
    public JobWorkerHandler() {
        this(SchedulerWiring.fromEnvironment(SchedulerWiring.WORKER));
    }

    public JobWorkerHandler(SchedulerWiring wiring) {
        this.json = wiring.json();
        this.wiring = wiring.jobs();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        try (Observability.Invocation ignored = wiring.observability.begin(context)) {
            work(input, output);
        }
    }

    private void work(InputStream input, OutputStream output) throws IOException {
        JsonNode event = json.readTree(input);
        ObjectNode response = json.createObjectNode();
        ArrayNode failures = response.putArray("batchItemFailures");
        for (JsonNode record : event.path("Records")) {
            String id = record.path("messageId").asText();
            WorkMessage message;
            try {
                message = WorkMessageJson.read(json.readTree(record.path("body").asText()));
            } catch (IOException | IllegalArgumentException e) {
                wiring.log.warn("work_message_rejected", "messageId", id, "reason", e.getMessage());
                continue;
            }
            StructuredLog.context("jobId", message.jobId());
            try {
                wiring.engine.handle(message);
            } catch (RuntimeException e) {
                wiring.log.error(
                        "work_failed",
                        "messageId",
                        id,
                        "kind",
                        message.kind(),
                        "jobId",
                        message.jobId(),
                        "error",
                        String.valueOf(e));
                failures.addObject().put("itemIdentifier", id);
            }
        }
        json.writeValue(output, response);
    }
}
