package dev.ota.app.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.job.WorkMessage;

/** A {@link WorkMessage} as the body of a queue message. */
public final class WorkMessageJson {

    private WorkMessageJson() {}

    public static String write(ObjectMapper json, WorkMessage message) {
        ObjectNode n =
                json.createObjectNode().put("kind", message.kind().name()).put("jobId", message.jobId());
        if (message.stage() != null) {
            n.put("stage", message.stage());
        }
        if (message.fromSeq() != null) {
            n.put("fromSeq", message.fromSeq());
        }
        if (message.toSeq() != null) {
            n.put("toSeq", message.toSeq());
        }
        if (message.scope() != null) {
            n.put("scope", message.scope());
        }
        return n.toString();
    }

    public static WorkMessage read(JsonNode n) {
        if (n == null || !n.path("kind").isTextual() || !n.path("jobId").isTextual()) {
            throw new IllegalArgumentException("work message needs kind and jobId: " + n);
        }
        return new WorkMessage(
                WorkMessage.Kind.valueOf(n.get("kind").asText()),
                n.get("jobId").asText(),
                n.has("stage") ? n.get("stage").asInt() : null,
                n.has("fromSeq") ? n.get("fromSeq").asLong() : null,
                n.has("toSeq") ? n.get("toSeq").asLong() : null,
                n.has("scope") ? n.get("scope").asText() : null);
    }
}
