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
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

class MotoServerTest {

    private static final String TABLE = "ota-devices";
    private static final String BY_STATUS = "byStatus";

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
    void freshTable() {
        moto.reset();
        dynamo.createTable(t -> t.tableName(TABLE)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(attr("pk"), attr("sk"), attr("status"))
                .keySchema(key("pk", KeyType.HASH), key("sk", KeyType.RANGE))
                .globalSecondaryIndexes(g -> g.indexName(BY_STATUS)
                        .keySchema(key("status", KeyType.HASH), key("pk", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.ALL))));
    }

    @Test
    void listensOnLoopback() {
        assertThat(moto.endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(dynamo.listTables().tableNames()).containsExactly(TABLE);
    }

    @Test
    void transactWriteCommitsAllWhenEveryConditionHolds() {
        dynamo.transactWriteItems(t -> t.transactItems(
                putIfAbsent(item("task#1", "meta", "status", s("running"))),
                putIfAbsent(item("task#1", "device#d1", "status", s("pending")))));

        assertThat(get("task#1", "meta")).containsEntry("status", s("running"));
        assertThat(get("task#1", "device#d1")).containsEntry("status", s("pending"));
    }

    @Test
    void transactWriteWritesNothingWhenOneConditionFails() {
        dynamo.putItem(p -> p.tableName(TABLE).item(item("task#1", "device#d1", "status", s("done"))));

        TransactionCanceledException cancelled = catchThrowableOfType(
                TransactionCanceledException.class,
                () -> dynamo.transactWriteItems(t -> t.transactItems(
                        putIfAbsent(item("task#1", "device#d2", "status", s("pending"))),
                        TransactWriteItem.builder()
                                .update(u -> u.tableName(TABLE)
                                        .key(key("task#1", "device#d1"))
                                        .updateExpression("SET #s = :new")
                                        .conditionExpression("#s = :expected")
                                        .expressionAttributeNames(Map.of("#s", "status"))
                                        .expressionAttributeValues(
                                                Map.of(":new", s("downloading"), ":expected", s("pending")))
                                        .returnValuesOnConditionCheckFailure(
                                                ReturnValuesOnConditionCheckFailure.ALL_OLD))
                                .build())));

        assertThat(cancelled).isNotNull();
        List<CancellationReason> reasons = cancelled.cancellationReasons();
        assertThat(reasons).extracting(CancellationReason::code).containsExactly("None", "ConditionalCheckFailed");
        // Moto reports the failing item's old image in the cancellation reason, as DynamoDB does.
        assertThat(reasons.get(1).item()).containsEntry("status", s("done"));
        // Atomic: the first put, whose condition held, was not applied either.
        assertThat(dynamo.getItem(g -> g.tableName(TABLE).key(key("task#1", "device#d2")))
                        .hasItem())
                .isFalse();
        assertThat(get("task#1", "device#d1")).containsEntry("status", s("done"));
    }

    @Test
    void conditionalUpdateFailureReturnsTheOldItemWhenAsked() {
        dynamo.putItem(p -> p.tableName(TABLE).item(item("task#1", "device#d1", "status", s("done"))));

        ConditionalCheckFailedException failed = catchThrowableOfType(
                ConditionalCheckFailedException.class,
                () -> dynamo.updateItem(u -> u.tableName(TABLE)
                        .key(key("task#1", "device#d1"))
                        .updateExpression("SET #s = :new")
                        .conditionExpression("#s = :expected")
                        .expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":new", s("downloading"), ":expected", s("pending")))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));

        assertThat(failed).isNotNull();
        assertThat(failed.hasItem()).isTrue();
        assertThat(failed.item())
                .containsEntry("pk", s("task#1"))
                .containsEntry("sk", s("device#d1"))
                .containsEntry("status", s("done"));
        assertThat(get("task#1", "device#d1")).containsEntry("status", s("done"));
    }

    @Test
    void conditionalUpdateFailureWithoutTheOptionCarriesNoItem() {
        dynamo.putItem(p -> p.tableName(TABLE).item(item("task#1", "device#d1", "status", s("done"))));

        ConditionalCheckFailedException failed = catchThrowableOfType(
                ConditionalCheckFailedException.class,
                () -> dynamo.updateItem(u -> u.tableName(TABLE)
                        .key(key("task#1", "device#d1"))
                        .updateExpression("SET #s = :new")
                        .conditionExpression("attribute_not_exists(pk)")
                        .expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":new", s("downloading")))));

        assertThat(failed).isNotNull();
        assertThat(failed.hasItem()).isFalse();
    }

    @Test
    void addCreatesAndIncrementsCounters() {
        for (int i = 0; i < 3; i++) {
            dynamo.updateItem(u -> u.tableName(TABLE)
                    .key(key("task#1", "meta"))
                    .updateExpression("ADD succeeded :one, attempts :one")
                    .expressionAttributeValues(Map.of(":one", n("1"))));
        }
        var result = dynamo.updateItem(u -> u.tableName(TABLE)
                .key(key("task#1", "meta"))
                .updateExpression("ADD succeeded :minusOne")
                .expressionAttributeValues(Map.of(":minusOne", n("-1")))
                .returnValues(ReturnValue.UPDATED_NEW));

        assertThat(result.attributes()).containsEntry("succeeded", n("2"));
        assertThat(get("task#1", "meta")).containsEntry("attempts", n("3"));
    }

    @Test
    void gsiQueryFindsItemsByStatus() {
        dynamo.putItem(p -> p.tableName(TABLE).item(item("dev#a", "state", "status", s("downloading"))));
        dynamo.putItem(p -> p.tableName(TABLE).item(item("dev#b", "state", "status", s("done"))));
        dynamo.putItem(p -> p.tableName(TABLE).item(item("dev#c", "state", "status", s("downloading"))));

        var result = dynamo.query(q -> q.tableName(TABLE)
                .indexName(BY_STATUS)
                .keyConditionExpression("#s = :s")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":s", s("downloading"))));

        assertThat(result.items()).extracting(i -> i.get("pk").s()).containsExactly("dev#a", "dev#c");
    }

    @Test
    void timeToLiveCanBeEnabled() {
        dynamo.updateTimeToLive(u -> u.tableName(TABLE)
                .timeToLiveSpecification(s -> s.attributeName("expiresAt").enabled(true)));

        var ttl = dynamo.describeTimeToLive(d -> d.tableName(TABLE)).timeToLiveDescription();
        assertThat(ttl.timeToLiveStatus()).isEqualTo(TimeToLiveStatus.ENABLED);
        assertThat(ttl.attributeName()).isEqualTo("expiresAt");
    }

    /**
     * Unpatched moto_server loses these increments: a cancelled transaction restores a snapshot of
     * the whole table taken when it started, over the writes concurrent requests made meanwhile.
     */
    @Test
    void cancelledTransactionsDoNotUndoConcurrentWrites() throws Exception {
        dynamo.putItem(p -> p.tableName(TABLE).item(item("job", "meta", "n", n("0"))));
        dynamo.putItem(p -> p.tableName(TABLE).item(item("guard", "present", "status", s("x"))));
        int threads = 6;
        int perThread = 30;
        java.util.concurrent.atomic.AtomicInteger committed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try (DynamoDbClient client = StandInClients.dynamoDb(moto.endpoint())) {
            List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        // Every other transaction is cancelled by its condition check.
                        String guard = i % 2 == 0 ? "present" : "absent";
                        try {
                            client.transactWriteItems(w -> w.transactItems(
                                    TransactWriteItem.builder()
                                            .update(u -> u.tableName(TABLE)
                                                    .key(key("job", "meta"))
                                                    .updateExpression("ADD n :one")
                                                    .expressionAttributeValues(Map.of(":one", n("1"))))
                                            .build(),
                                    TransactWriteItem.builder()
                                            .conditionCheck(c -> c.tableName(TABLE)
                                                    .key(key("guard", guard))
                                                    .conditionExpression("attribute_exists(pk)"))
                                            .build()));
                            committed.incrementAndGet();
                        } catch (TransactionCanceledException expected) {
                            // the guard is absent
                        }
                    }
                    return null;
                }));
            }
            for (var f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(committed.get()).isEqualTo(threads * perThread / 2);
        assertThat(get("job", "meta").get("n").n()).isEqualTo(String.valueOf(committed.get()));
    }

    /**
     * A client that sends a request's headers and stops before its body (the AWS SDK does so when its
     * thread is interrupted while it writes the body) held moto's one lock for good: every later call,
     * from every client, hung. The body is now read before the lock is taken.
     */
    @Test
    void aRequestWhoseBodyNeverComesDoesNotHoldUpOtherRequests() throws Exception {
        try (java.net.Socket stalled =
                new java.net.Socket(moto.endpoint().getHost(), moto.endpoint().getPort())) {
            String headers = "POST / HTTP/1.1\r\nHost: " + moto.endpoint().getAuthority() + "\r\n"
                    + "X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    + "Authorization: AWS4-HMAC-SHA256 Credential=local/20240101/" + StandInClients.REGION.id()
                    + "/dynamodb/aws4_request, SignedHeaders=host, Signature=0\r\n"
                    + "Content-Length: 100\r\n\r\n{";
            stalled.getOutputStream().write(headers.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            stalled.getOutputStream().flush();
            Thread.sleep(300);

            java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                java.util.concurrent.Future<List<String>> tables =
                        other.submit(() -> dynamo.listTables().tableNames());
                assertThat(tables.get(20, java.util.concurrent.TimeUnit.SECONDS))
                        .contains(TABLE);
            } finally {
                other.shutdownNow();
            }
        }
    }

    private static TransactWriteItem putIfAbsent(Map<String, AttributeValue> item) {
        return TransactWriteItem.builder()
                .put(p -> p.tableName(TABLE).item(item).conditionExpression("attribute_not_exists(pk)"))
                .build();
    }

    private static Map<String, AttributeValue> get(String pk, String sk) {
        return dynamo.getItem(g -> g.tableName(TABLE).key(key(pk, sk)).consistentRead(true))
                .item();
    }

    private static Map<String, AttributeValue> item(String pk, String sk, String name, AttributeValue value) {
        return Map.of("pk", s(pk), "sk", s(sk), name, value);
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    private static AttributeDefinition attr(String name) {
        return AttributeDefinition.builder()
                .attributeName(name)
                .attributeType(ScalarAttributeType.S)
                .build();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(String value) {
        return AttributeValue.fromN(value);
    }
}
