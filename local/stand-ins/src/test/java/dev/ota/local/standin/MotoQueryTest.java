package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Query on moto_server as MotoServer starts it: a table query reads its partition and an index
 * query sorts only the items it keeps (moto_server_main.py), where moto sorted every item of the
 * table on every query. What the code relies on must hold as before: a partition's items in
 * sort-key order either way, pages that resume after their last key, sparse indexes holding only
 * the items with the index's keys, numbers ordered as numbers, key conditions on the sort key,
 * and an index that follows updates and deletes (after cancelled transactions: MotoTransactionsTest).
 */
class MotoQueryTest {

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
    void table() {
        moto.reset();
        dynamo.createTable(t -> t.tableName("executions")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        a -> a.attributeName("jobId").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("deviceName").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("queuedJob").attributeType(ScalarAttributeType.S),
                        a -> a.attributeName("seq").attributeType(ScalarAttributeType.N),
                        a -> a.attributeName("jobStatus").attributeType(ScalarAttributeType.S))
                .keySchema(
                        k -> k.attributeName("jobId").keyType(KeyType.HASH),
                        k -> k.attributeName("deviceName").keyType(KeyType.RANGE))
                .globalSecondaryIndexes(
                        g -> g.indexName("byQueue")
                                .keySchema(
                                        k -> k.attributeName("queuedJob").keyType(KeyType.HASH),
                                        k -> k.attributeName("seq").keyType(KeyType.RANGE))
                                .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY)),
                        g -> g.indexName("byStatus")
                                .keySchema(k -> k.attributeName("jobStatus").keyType(KeyType.HASH))
                                .projection(p -> p.projectionType(ProjectionType.ALL))));
        dynamo.createTable(t -> t.tableName("devices")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("deviceKey").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("deviceKey").keyType(KeyType.HASH)));
        // two jobs' partitions, written out of order; seq 10 sorts after 9 as a number, before it as a string
        for (int i : new int[] {3, 11, 0, 9, 10, 1}) {
            put("job-a", "dev-" + (char) ('a' + i), i % 2 == 0 ? i : -1, "job-a#" + (i < 3 ? "DONE" : "QUEUED"));
        }
        put("job-b", "dev-z", 5, "job-b#QUEUED");
        put("job-b", "dev-a", 1, "job-b#QUEUED");
    }

    @Test
    void aTableQueryReturnsOnePartitionInSortKeyOrderEitherWay() {
        assertThat(names(q -> q.tableName("executions")
                        .keyConditionExpression("jobId = :j")
                        .expressionAttributeValues(Map.of(":j", s("job-a")))))
                .containsExactly("dev-a", "dev-b", "dev-d", "dev-j", "dev-k", "dev-l");
        assertThat(names(q -> q.tableName("executions")
                        .keyConditionExpression("jobId = :j")
                        .expressionAttributeValues(Map.of(":j", s("job-a")))
                        .scanIndexForward(false)))
                .containsExactly("dev-l", "dev-k", "dev-j", "dev-d", "dev-b", "dev-a");
        assertThat(names(q -> q.tableName("executions")
                        .keyConditionExpression("jobId = :j AND deviceName > :d")
                        .expressionAttributeValues(Map.of(":j", s("job-a"), ":d", s("dev-d")))))
                .containsExactly("dev-j", "dev-k", "dev-l");
        assertThat(names(q -> q.tableName("executions")
                        .keyConditionExpression("jobId = :j")
                        .expressionAttributeValues(Map.of(":j", s("job-none")))))
                .isEmpty();
    }

    @Test
    void pagesOfATableQueryResumeAfterTheirLastKey() {
        List<String> seen = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        int pages = 0;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(q -> q.tableName("executions")
                    .keyConditionExpression("jobId = :j")
                    .expressionAttributeValues(Map.of(":j", s("job-a")))
                    .limit(4)
                    .exclusiveStartKey(from));
            page.items().forEach(i -> seen.add(i.get("deviceName").s()));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            pages++;
        } while (start != null);
        assertThat(seen).containsExactly("dev-a", "dev-b", "dev-d", "dev-j", "dev-k", "dev-l");
        assertThat(pages).isEqualTo(2);
    }

    @Test
    void aSparseIndexHoldsOnlyItemsWithItsKeysInNumericOrderAndPagesResume() {
        // job-a's items with a seq: 0, 10 (even i); the odd ones have none and are not in the index
        put("job-a", "dev-x", 2, "job-a#QUEUED");
        put("job-a", "dev-y", 9, "job-a#QUEUED");
        QueryResponse first = dynamo.query(q -> q.tableName("executions")
                .indexName("byQueue")
                .keyConditionExpression("queuedJob = :j")
                .expressionAttributeValues(Map.of(":j", s("job-a")))
                .limit(3));
        assertThat(first.items()).extracting(i -> i.get("seq").n()).containsExactly("0", "2", "9");
        assertThat(first.items().get(0).keySet()).containsExactlyInAnyOrder("jobId", "deviceName", "queuedJob", "seq");
        QueryResponse rest = dynamo.query(q -> q.tableName("executions")
                .indexName("byQueue")
                .keyConditionExpression("queuedJob = :j")
                .expressionAttributeValues(Map.of(":j", s("job-a")))
                .exclusiveStartKey(first.lastEvaluatedKey()));
        assertThat(rest.items()).extracting(i -> i.get("seq").n()).containsExactly("10");
        assertThat(names(q -> q.tableName("executions")
                        .indexName("byQueue")
                        .keyConditionExpression("queuedJob = :j AND seq <= :s")
                        .expressionAttributeValues(Map.of(":j", s("job-a"), ":s", n(9)))
                        .scanIndexForward(false)))
                .containsExactly("dev-y", "dev-x", "dev-a");
    }

    @Test
    void anIndexWithoutASortKeyOrdersByTheTableKeyAndFollowsWrites() {
        assertThat(names(q -> q.tableName("executions")
                        .indexName("byStatus")
                        .keyConditionExpression("jobStatus = :s")
                        .expressionAttributeValues(Map.of(":s", s("job-a#QUEUED")))))
                .containsExactly("dev-d", "dev-j", "dev-k", "dev-l");
        dynamo.updateItem(u -> u.tableName("executions")
                .key(Map.of("jobId", s("job-a"), "deviceName", s("dev-j")))
                .updateExpression("SET jobStatus = :s REMOVE queuedJob")
                .expressionAttributeValues(Map.of(":s", s("job-a#DONE"))));
        dynamo.deleteItem(d -> d.tableName("executions").key(Map.of("jobId", s("job-a"), "deviceName", s("dev-l"))));
        assertThat(names(q -> q.tableName("executions")
                        .indexName("byStatus")
                        .keyConditionExpression("jobStatus = :s")
                        .expressionAttributeValues(Map.of(":s", s("job-a#QUEUED")))))
                .containsExactly("dev-d", "dev-k");
        assertThat(names(q -> q.tableName("executions")
                        .indexName("byStatus")
                        .keyConditionExpression("jobStatus = :s")
                        .expressionAttributeValues(Map.of(":s", s("job-a#DONE")))))
                .containsExactly("dev-a", "dev-b", "dev-j");
        assertThat(names(q -> q.tableName("executions")
                        .indexName("byQueue")
                        .keyConditionExpression("queuedJob = :j")
                        .expressionAttributeValues(Map.of(":j", s("job-a")))))
                .containsExactly("dev-a", "dev-k");
    }

    @Test
    void aQueryOfATableWithoutASortKeyFindsTheOneItem() {
        dynamo.putItem(p -> p.tableName("devices").item(Map.of("deviceKey", s("P/dev-1"), "v", s("1.0.0"))));
        dynamo.putItem(p -> p.tableName("devices").item(Map.of("deviceKey", s("P/dev-2"), "v", s("1.1.0"))));
        List<Map<String, AttributeValue>> items = dynamo.query(q -> q.tableName("devices")
                        .keyConditionExpression("deviceKey = :k")
                        .expressionAttributeValues(Map.of(":k", s("P/dev-2"))))
                .items();
        assertThat(items).containsExactly(Map.of("deviceKey", s("P/dev-2"), "v", s("1.1.0")));
        assertThat(dynamo.query(q -> q.tableName("devices")
                                .keyConditionExpression("deviceKey = :k")
                                .expressionAttributeValues(Map.of(":k", s("P/dev-3"))))
                        .items())
                .isEmpty();
    }

    private static List<String> names(Consumer<QueryRequest.Builder> query) {
        return dynamo.query(query).items().stream()
                .map(i -> i.get("deviceName").s())
                .toList();
    }

    private static void put(String job, String device, int seq, String status) {
        Map<String, AttributeValue> item =
                new java.util.HashMap<>(Map.of("jobId", s(job), "deviceName", s(device), "jobStatus", s(status)));
        if (seq >= 0) {
            item.put("queuedJob", s(job));
            item.put("seq", n(seq));
        }
        dynamo.putItem(p -> p.tableName("executions").item(item));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(int value) {
        return AttributeValue.fromN(Integer.toString(value));
    }
}
