package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * TransactWriteItems on moto_server as MotoServer starts it: its rollback journals the items a
 * transaction touches instead of copying whole tables (moto_server_main.py). What the code relies
 * on must hold as before: all or nothing, across tables, for new and existing items, with the
 * cancellation reasons in order, and indexes that show exactly the committed items.
 */
class MotoTransactionsTest {

    private static MotoServer moto;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start() {
        moto = new MotoServer().start();
        dynamo = StandInClients.dynamoDb(moto.endpoint());
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        moto.close();
    }

    @BeforeEach
    void tables() {
        moto.reset();
        dynamo.createTable(t -> t.tableName("jobs")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("state").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .globalSecondaryIndexes(g -> g.indexName("byState")
                        .keySchema(k -> k.attributeName("state").keyType(KeyType.HASH))
                        .projection(p -> p.projectionType(ProjectionType.ALL))));
        dynamo.createTable(t -> t.tableName("rows")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("sk").attributeType(ScalarAttributeType.S))
                .keySchema(
                        k -> k.attributeName("pk").keyType(KeyType.HASH),
                        k -> k.attributeName("sk").keyType(KeyType.RANGE)));
        dynamo.putItem(p -> p.tableName("jobs").item(Map.of("pk", s("job-1"), "state", s("RUNNING"), "count", n(5))));
        dynamo.putItem(
                p -> p.tableName("rows").item(Map.of("pk", s("job-1"), "sk", s("dev-1"), "status", s("QUEUED"))));
    }

    @Test
    void aCancelledTransactionLeavesEveryItemAsItWasAcrossTablesAndIndexes() {
        TransactionCanceledException cancelled = catchThrowableOfType(
                () -> dynamo.transactWriteItems(t -> t.transactItems(
                        // applied by moto before the failing check is reached, then rolled back:
                        update("jobs", Map.of("pk", s("job-1")), "SET #s = :v, #c = #c + :one", "DONE"),
                        put("rows", Map.of("pk", s("job-1"), "sk", s("dev-2"), "status", s("NEW"))),
                        delete("rows", Map.of("pk", s("job-1"), "sk", s("dev-1"))),
                        update("jobs", Map.of("pk", s("job-new")), "SET #s = :v, #c = :one", "RUNNING"),
                        // fails:
                        TransactWriteItem.builder()
                                .conditionCheck(c -> c.tableName("rows")
                                        .key(Map.of("pk", s("job-1"), "sk", s("dev-9")))
                                        .conditionExpression("attribute_exists(pk)"))
                                .build())),
                TransactionCanceledException.class);

        assertThat(cancelled.cancellationReasons())
                .extracting(CancellationReason::code)
                .containsExactly("None", "None", "None", "None", "ConditionalCheckFailed");
        assertThat(dynamo.getItem(g -> g.tableName("jobs").key(Map.of("pk", s("job-1"))))
                        .item())
                .isEqualTo(Map.of("pk", s("job-1"), "state", s("RUNNING"), "count", n(5)));
        assertThat(dynamo.getItem(g -> g.tableName("jobs").key(Map.of("pk", s("job-new"))))
                        .hasItem())
                .as("an item the transaction created is gone")
                .isFalse();
        assertThat(dynamo.scan(r -> r.tableName("rows")).items())
                .containsExactly(Map.of("pk", s("job-1"), "sk", s("dev-1"), "status", s("QUEUED")));
        assertThat(byState("DONE")).isEmpty();
        assertThat(byState("RUNNING")).extracting(i -> i.get("pk").s()).containsExactly("job-1");
    }

    @Test
    void aCommittedTransactionChangesEveryItemAndTheIndexSeesIt() {
        dynamo.transactWriteItems(t -> t.transactItems(
                update("jobs", Map.of("pk", s("job-1")), "SET #s = :v, #c = #c + :one", "DONE"),
                put("rows", Map.of("pk", s("job-1"), "sk", s("dev-2"), "status", s("NEW")))));
        assertThat(byState("DONE")).extracting(i -> i.get("count").n()).containsExactly("6");
        assertThat(byState("RUNNING")).isEmpty();
        assertThat(dynamo.scan(r -> r.tableName("rows")).items()).hasSize(2);
    }

    @Test
    void aTransactionThatNamesOneItemTwiceIsRejectedAndChangesNothing() {
        DynamoDbException rejected = catchThrowableOfType(
                () -> dynamo.transactWriteItems(t -> t.transactItems(
                        put("rows", Map.of("pk", s("job-1"), "sk", s("dev-3"), "status", s("NEW"))),
                        update("jobs", Map.of("pk", s("job-1")), "SET #s = :v, #c = :one", "DONE"),
                        update("jobs", Map.of("pk", s("job-1")), "SET #s = :v, #c = :one", "PAUSED"))),
                DynamoDbException.class);
        assertThat(rejected.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        assertThat(dynamo.scan(r -> r.tableName("rows")).items()).hasSize(1);
        assertThat(byState("RUNNING")).hasSize(1);
    }

    private static List<Map<String, AttributeValue>> byState(String state) {
        return dynamo.query(q -> q.tableName("jobs")
                        .indexName("byState")
                        .keyConditionExpression("#s = :s")
                        .expressionAttributeNames(Map.of("#s", "state"))
                        .expressionAttributeValues(Map.of(":s", s(state))))
                .items();
    }

    private static TransactWriteItem update(
            String table, Map<String, AttributeValue> key, String expression, String state) {
        return TransactWriteItem.builder()
                .update(u -> u.tableName(table)
                        .key(key)
                        .updateExpression(expression)
                        .expressionAttributeNames(Map.of("#s", "state", "#c", "count"))
                        .expressionAttributeValues(Map.of(":v", s(state), ":one", n(1))))
                .build();
    }

    private static TransactWriteItem put(String table, Map<String, AttributeValue> item) {
        return TransactWriteItem.builder()
                .put(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"))
                .build();
    }

    private static TransactWriteItem delete(String table, Map<String, AttributeValue> key) {
        return TransactWriteItem.builder()
                .delete(d -> d.tableName(table).key(key))
                .build();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(int value) {
        return AttributeValue.fromN(String.valueOf(value));
    }
}
