package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * DynamoDB applies each conditional write atomically: of many concurrent writes conditional on the
 * same old value, exactly one wins. The stand-in must do the same, or tests of the functions'
 * race handling would test the stand-in's races instead.
 */
class MotoConcurrencyTest {

    private static final int WRITERS = 16;
    private static MotoServer moto;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start() {
        moto = new MotoServer().start();
        dynamo = StandInClients.dynamoDb(moto.endpoint());
        dynamo.createTable(t -> t.tableName("race")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        moto.close();
    }

    @RepeatedTest(3)
    void exactlyOneOfConcurrentConditionalUpdatesWins() throws Exception {
        String pk = "item-" + System.nanoTime();
        dynamo.putItem(p ->
                p.tableName("race").item(Map.of("pk", AttributeValue.fromS(pk), "state", AttributeValue.fromS("A"))));
        int wins = race(i -> dynamo.updateItem(u -> u.tableName("race")
                .key(Map.of("pk", AttributeValue.fromS(pk)))
                .updateExpression("SET #s = :next")
                .conditionExpression("#s = :old")
                .expressionAttributeNames(Map.of("#s", "state"))
                .expressionAttributeValues(
                        Map.of(":old", AttributeValue.fromS("A"), ":next", AttributeValue.fromS("B" + i)))));
        assertThat(wins).isEqualTo(1);
    }

    @RepeatedTest(3)
    void exactlyOneOfConcurrentConditionalTransactionsWins() throws Exception {
        String pk = "tx-" + System.nanoTime();
        dynamo.putItem(p ->
                p.tableName("race").item(Map.of("pk", AttributeValue.fromS(pk), "state", AttributeValue.fromS("A"))));
        dynamo.putItem(p -> p.tableName("race")
                .item(Map.of("pk", AttributeValue.fromS(pk + "#count"), "n", AttributeValue.fromN("0"))));
        int wins = race(i -> dynamo.transactWriteItems(t -> t.transactItems(
                w -> w.update(u -> u.tableName("race")
                        .key(Map.of("pk", AttributeValue.fromS(pk)))
                        .updateExpression("SET #s = :next")
                        .conditionExpression("#s = :old")
                        .expressionAttributeNames(Map.of("#s", "state"))
                        .expressionAttributeValues(
                                Map.of(":old", AttributeValue.fromS("A"), ":next", AttributeValue.fromS("B" + i)))),
                w -> w.update(u -> u.tableName("race")
                        .key(Map.of("pk", AttributeValue.fromS(pk + "#count")))
                        .updateExpression("ADD #n :one")
                        .expressionAttributeNames(Map.of("#n", "n"))
                        .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))))));
        assertThat(wins).isEqualTo(1);
        assertThat(dynamo.getItem(g -> g.tableName("race").key(Map.of("pk", AttributeValue.fromS(pk + "#count"))))
                        .item()
                        .get("n")
                        .n())
                .isEqualTo("1");
    }

    interface Write {
        void run(int writer);
    }

    private static int race(Write write) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                int writer = i;
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        write.run(writer);
                        return true;
                    } catch (ConditionalCheckFailedException | TransactionCanceledException lost) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int wins = 0;
            for (Future<Boolean> result : results) {
                wins += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            return wins;
        } finally {
            pool.shutdownNow();
        }
    }
}
