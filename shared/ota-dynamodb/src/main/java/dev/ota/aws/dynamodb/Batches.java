package dev.ota.aws.dynamodb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * BatchGetItem (100 keys) and BatchWriteItem (25 puts or deletes) with their unprocessed remainders sent
 * again, backing off, until everything is through.
 */
final class Batches {
    static final int GET_LIMIT = 100;
    static final int WRITE_LIMIT = 25;

    private Batches() {}

    /** Strongly consistent reads of {@code keys} (any number); items that do not exist are left out. */
    static List<Map<String, AttributeValue>> get(
            DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys, String projection) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += GET_LIMIT) {
            KeysAndAttributes.Builder request = KeysAndAttributes.builder()
                    .keys(keys.subList(from, Math.min(keys.size(), from + GET_LIMIT)))
                    .consistentRead(true);
            if (projection != null) {
                request.projectionExpression(projection);
            }
            Map<String, KeysAndAttributes> pending = new HashMap<>(Map.of(table, request.build()));
            for (int round = 0; !pending.isEmpty(); round++) {
                Map<String, KeysAndAttributes> send = pending;
                BatchGetItemResponse response = dynamo.batchGetItem(r -> r.requestItems(send));
                items.addAll(response.responses().getOrDefault(table, List.of()));
                pending = new HashMap<>(response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of());
                pending.values().removeIf(k -> !k.hasKeys() || k.keys().isEmpty());
                backOff(round, pending.isEmpty());
            }
        }
        return items;
    }

    static void put(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> items) {
        write(
                dynamo,
                table,
                items.stream()
                        .map(item -> WriteRequest.builder()
                                .putRequest(PutRequest.builder().item(item).build())
                                .build())
                        .toList());
    }

    /** Puts and deletes, 25 a call, the unprocessed ones sent again. */
    static void write(DynamoDbClient dynamo, String table, List<WriteRequest> requests) {
        for (int from = 0; from < requests.size(); from += WRITE_LIMIT) {
            List<WriteRequest> writes = requests.subList(from, Math.min(requests.size(), from + WRITE_LIMIT));
            Map<String, List<WriteRequest>> pending = Map.of(table, writes);
            for (int round = 0; !pending.isEmpty(); round++) {
                Map<String, List<WriteRequest>> send = pending;
                BatchWriteItemResponse response = dynamo.batchWriteItem(r -> r.requestItems(send));
                pending = new HashMap<>(response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of());
                pending.values().removeIf(List::isEmpty);
                backOff(round, pending.isEmpty());
            }
        }
    }

    private static void backOff(int round, boolean done) {
        if (done) {
            return;
        }
        try {
            Thread.sleep(Math.min(1000, 25L << Math.min(round, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying unprocessed batch items", e);
        }
    }
}
