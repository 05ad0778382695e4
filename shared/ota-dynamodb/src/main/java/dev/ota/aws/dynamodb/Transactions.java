package dev.ota.aws.dynamodb;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * TransactWriteItems as the stores use it: items built from an {@link Expression}, and a
 * transaction canceled because a condition failed taken as an answer (which items' conditions
 * failed), never as an error. Any other cancellation (a conflicting transaction, throttling) is
 * thrown: a retry can cure it.
 */
final class Transactions {

    private static final String CONDITION_FAILED = "ConditionalCheckFailed";

    private Transactions() {}

    /** What a transaction came to: committed, or canceled by the conditions of some of its items. */
    record Outcome(List<CancellationReason> reasons) {

        static final Outcome COMMITTED = new Outcome(List.of());

        boolean committed() {
            return reasons.isEmpty();
        }

        /** Whether the condition of the item at {@code index} (in the order written) failed. */
        boolean failed(int index) {
            return index < reasons.size()
                    && CONDITION_FAILED.equals(reasons.get(index).code());
        }
    }

    static Outcome write(DynamoDbClient dynamo, List<TransactWriteItem> items) {
        try {
            dynamo.transactWriteItems(r -> r.transactItems(items));
            return Outcome.COMMITTED;
        } catch (TransactionCanceledException cancelled) {
            if (cancelled.hasCancellationReasons()
                    && cancelled.cancellationReasons().stream()
                            .anyMatch(reason -> CONDITION_FAILED.equals(reason.code()))) {
                return new Outcome(cancelled.cancellationReasons());
            }
            throw cancelled;
        }
    }

    /** An Update of the item at {@code key}: the expression's changes, if {@code condition} (null: always) holds. */
    static TransactWriteItem update(String table, Map<String, AttributeValue> key, Expression e, String condition) {
        Update.Builder u = Update.builder()
                .tableName(table)
                .key(key)
                .updateExpression(e.update())
                .expressionAttributeNames(e.names())
                .expressionAttributeValues(e.values());
        if (condition != null) {
            u.conditionExpression(condition);
        }
        return TransactWriteItem.builder().update(u.build()).build();
    }

    /** A ConditionCheck of the item at {@code key}, its names and values placed in {@code e}. */
    static TransactWriteItem check(String table, Map<String, AttributeValue> key, Expression e, String condition) {
        return TransactWriteItem.builder()
                .conditionCheck(ConditionCheck.builder()
                        .tableName(table)
                        .key(key)
                        .conditionExpression(condition)
                        .expressionAttributeNames(e.names())
                        .expressionAttributeValues(e.values())
                        .build())
                .build();
    }
}
