package dev.ota.aws.sqs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.jobs.WorkMessageJson;
import dev.ota.domain.job.WorkMessage;
import dev.ota.port.out.WorkQueue;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/** The job work queue on SQS: SendMessageBatch, ten messages a call, failed entries sent again. */
public final class SqsWorkQueue implements WorkQueue {

    private final SqsClient sqs;
    private final String queueUrl;
    private final ObjectMapper json;

    public SqsWorkQueue(SqsClient sqs, String queueUrl, ObjectMapper json) {
        if (queueUrl == null || queueUrl.isBlank()) {
            throw new IllegalStateException("JOB_QUEUE_URL is not set");
        }
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.json = json;
    }

    @Override
    public void send(List<WorkMessage> messages) {
        for (int from = 0; from < messages.size(); from += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            List<WorkMessage> batch = messages.subList(from, Math.min(messages.size(), from + 10));
            for (int i = 0; i < batch.size(); i++) {
                entries.add(SendMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i))
                        .messageBody(WorkMessageJson.write(json, batch.get(i)))
                        .build());
            }
            for (int round = 0; !entries.isEmpty(); round++) {
                List<SendMessageBatchRequestEntry> send = entries;
                SendMessageBatchResponse response =
                        sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(send));
                if (!response.hasFailed() || response.failed().isEmpty()) {
                    break;
                }
                if (round == 3) {
                    throw new IllegalStateException(
                            "SQS refused " + response.failed().size() + " work messages: "
                                    + response.failed().get(0).message());
                }
                List<String> failedIds =
                        response.failed().stream().map(f -> f.id()).toList();
                entries = send.stream().filter(e -> failedIds.contains(e.id())).toList();
            }
        }
    }
}
