package dev.ota.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.local.template.SamTemplate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The template's SQS queues, on moto_server's SQS, and the Lambda event-source mappings that feed
 * them to functions: {@link #drain()} receives each queue's messages and invokes the consuming
 * function with an SQS-event-shaped batch ({@code BatchSize} records), deletes what succeeded,
 * makes a failed record visible again, and after the queue's {@code maxReceiveCount} receives moves
 * it to the dead letters (which tests can assert are empty). Draining is synchronous: it returns
 * when every queue is empty, continuations included, which is what makes scheduler tests
 * deterministic.
 */
public final class LocalQueues {

    public record DeadLetter(String queue, String body, String error) {}

    private record Source(String queue, String url, int batchSize, int maxReceives, LocalFunction function) {}

    private final SqsClient sqs;
    private final ObjectMapper json;
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Map<String, Integer> maxReceives = new HashMap<>();
    private final List<Source> sources = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> receives = new HashMap<>();

    LocalQueues(SqsClient sqs, ObjectMapper json, List<SamTemplate.QueueSpec> queues) {
        this.sqs = sqs;
        this.json = json;
        for (SamTemplate.QueueSpec q : queues) {
            urls.put(
                    q.logicalId(),
                    sqs.createQueue(r -> r.queueName(q.logicalId())).queueUrl());
            maxReceives.put(q.logicalId(), q.maxReceiveCount());
        }
    }

    /** The local URL of a queue that template.yaml declares. */
    public String url(String logicalId) {
        String url = urls.get(logicalId);
        if (url == null) {
            throw new IllegalArgumentException("no queue " + logicalId + " in template.yaml; have " + urls.keySet());
        }
        return url;
    }

    /** Puts a message on a queue of the template, as another AWS service would (e.g. an IoT rule's error action). */
    void send(String logicalId, String body) {
        String url = url(logicalId);
        sqs.sendMessage(r -> r.queueUrl(url).messageBody(body));
    }

    Map<String, String> urls() {
        return Map.copyOf(urls);
    }

    void connect(String queue, int batchSize, LocalFunction function) {
        int max = maxReceives.getOrDefault(queue, 0);
        sources.add(new Source(queue, url(queue), Math.max(1, Math.min(10, batchSize)), max == 0 ? 3 : max, function));
    }

    /** Feeds every queue to its function until all are empty; returns how many records were handled. */
    public synchronized int drain() {
        int handled = 0;
        boolean any = true;
        while (any) {
            any = false;
            for (Source source : sources) {
                List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(source.url())
                                .maxNumberOfMessages(source.batchSize())
                                .waitTimeSeconds(0)
                                .visibilityTimeout(60)
                                .messageSystemAttributeNames(MessageSystemAttributeName.ALL))
                        .messages();
                if (messages.isEmpty()) {
                    continue;
                }
                any = true;
                handled += messages.size();
                deliver(source, messages);
            }
        }
        return handled;
    }

    private void deliver(Source source, List<Message> messages) {
        ObjectNode event = json.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message m : messages) {
            records.addObject()
                    .put("messageId", m.messageId())
                    .put("receiptHandle", m.receiptHandle())
                    .put("body", m.body())
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:" + source.queue());
        }
        List<String> failed = new ArrayList<>();
        String error = null;
        try {
            JsonNode response =
                    json.readTree(source.function().invoke(event.toString().getBytes(StandardCharsets.UTF_8)));
            response.path("batchItemFailures")
                    .forEach(f -> failed.add(f.path("itemIdentifier").asText()));
            if (!failed.isEmpty()) {
                error = "reported as a batch item failure";
            }
        } catch (Exception | Error e) {
            messages.forEach(m -> failed.add(m.messageId()));
            error = String.valueOf(e);
        }
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.deleteMessage(r -> r.queueUrl(source.url()).receiptHandle(m.receiptHandle()));
                receives.remove(m.messageId());
                continue;
            }
            int count = receives.merge(m.messageId(), 1, Integer::sum);
            if (count >= source.maxReceives()) {
                deadLetters.add(new DeadLetter(source.queue(), m.body(), error));
                sqs.deleteMessage(r -> r.queueUrl(source.url()).receiptHandle(m.receiptHandle()));
                receives.remove(m.messageId());
            } else {
                sqs.changeMessageVisibility(r -> r.queueUrl(source.url())
                        .receiptHandle(m.receiptHandle())
                        .visibilityTimeout(0));
            }
        }
    }

    public List<DeadLetter> deadLetters() {
        return List.copyOf(deadLetters);
    }
}
