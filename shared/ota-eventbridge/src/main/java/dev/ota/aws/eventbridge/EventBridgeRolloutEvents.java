package dev.ota.aws.eventbridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.job.RolloutEvent;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.RolloutEvents;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

/**
 * Job and execution events on an EventBridge bus ({@code EVENT_BUS_NAME}, the account's default
 * unless set): source {@value #SOURCE}, detail-type the event's type, detail {@code jobId} plus
 * the type's fields (docs/events.md). The change was written before the event is put; a put that
 * fails is logged ({@code event_not_published}), never thrown: a Lambda retry would not publish it
 * again (the change is no longer there to make) and could redo other work.
 */
public final class EventBridgeRolloutEvents implements RolloutEvents {

    public static final String SOURCE = "dev.ota";

    private final EventBridgeClient events;
    private final String busName;
    private final ObjectMapper json;
    private final StructuredLog log;

    public EventBridgeRolloutEvents(EventBridgeClient events, String busName, ObjectMapper json, StructuredLog log) {
        this.events = events;
        this.busName = busName;
        this.json = json;
        this.log = log;
    }

    @Override
    public void publish(RolloutEvent event) {
        String detail;
        try {
            ObjectNode node = json.createObjectNode().put("jobId", event.jobId());
            node.setAll((ObjectNode) json.valueToTree(event.detail()));
            detail = json.writeValueAsString(node);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            log.error("event_not_published", "type", event.type(), "jobId", event.jobId(), "reason", e.getMessage());
            return;
        }
        try {
            PutEventsResponse response = events.putEvents(r -> r.entries(e -> e.eventBusName(busName)
                    .source(SOURCE)
                    .detailType(event.type())
                    .detail(detail)));
            if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
                PutEventsResultEntry failed = response.entries().get(0);
                log.error(
                        "event_not_published",
                        "type",
                        event.type(),
                        "jobId",
                        event.jobId(),
                        "reason",
                        failed.errorCode() + ": " + failed.errorMessage());
            }
        } catch (SdkException e) {
            log.error("event_not_published", "type", event.type(), "jobId", event.jobId(), "reason", e.getMessage());
        }
    }
}
