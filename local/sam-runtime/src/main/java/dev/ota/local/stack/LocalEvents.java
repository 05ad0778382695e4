package dev.ota.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Where the functions' EventBridge events end up locally: a rule on moto's bus (the template's
 * EventBusName) matching source {@code dev.ota}, with an SQS queue as its target, as a consumer
 * would subscribe on AWS. {@link #received()} drains that queue.
 */
public final class LocalEvents implements AutoCloseable {

    static final String QUEUE = "ota-local-events";
    private static final String RULE = "ota-local-events";

    private final SqsClient sqs;
    private final ObjectMapper json;
    private final String queueUrl;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();

    LocalEvents(EventBridgeClient events, SqsClient sqs, ObjectMapper json, String busName) {
        this.sqs = sqs;
        this.json = json;
        this.queueUrl = sqs.createQueue(r -> r.queueName(QUEUE)).queueUrl();
        String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings()
                .get("QueueArn");
        if (!"default".equals(busName)) {
            events.createEventBus(r -> r.name(busName));
        }
        events.putRule(r -> r.name(RULE).eventBusName(busName).eventPattern("{\"source\":[\"dev.ota\"]}"));
        events.putTargets(r ->
                r.rule(RULE).eventBusName(busName).targets(t -> t.id("queue").arn(queueArn)));
    }

    /** Every event delivered so far (EventBridge's envelope: source, detail-type, detail, ...), oldest first. */
    public synchronized List<JsonNode> received() {
        while (true) {
            List<Message> messages = sqs.receiveMessage(
                            r -> r.queueUrl(queueUrl).maxNumberOfMessages(10))
                    .messages();
            if (messages.isEmpty()) {
                return new ArrayList<>(received);
            }
            List<DeleteMessageBatchRequestEntry> read = new ArrayList<>();
            for (Message m : messages) {
                try {
                    received.add(json.readTree(m.body()));
                } catch (IOException e) {
                    throw new IllegalStateException("event queue: not JSON: " + m.body(), e);
                }
                read.add(DeleteMessageBatchRequestEntry.builder()
                        .id(String.valueOf(read.size()))
                        .receiptHandle(m.receiptHandle())
                        .build());
            }
            // One call per batch read: a 5,000-device demo's summary drains 5,000 events.
            sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(read));
        }
    }

    @Override
    public void close() {}
}
