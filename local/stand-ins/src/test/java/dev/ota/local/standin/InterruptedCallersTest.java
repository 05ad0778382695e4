package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Threads that call moto_server get interrupted (the demo's progress display and scheduler stop
 * theirs that way, executors are shut down with {@code shutdownNow}). The AWS SDK then throws out of
 * the request body it is writing, after the headers went out. Before, that left moto_server waiting
 * for the body under its one lock: every later call from every client hung (a whole test run stalled,
 * with the broker's CONNECT decisions, which ask moto's IoT registry, stuck behind it). The fix:
 * moto_server reads a request's body before it takes its lock.
 */
class InterruptedCallersTest {

    private static MotoServer moto;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start() {
        moto = new MotoServer().start();
        dynamo = StandInClients.dynamoDb(moto.endpoint());
        dynamo.createTable(t -> t.tableName("interrupted")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        moto.close();
    }

    @Test
    void interruptingCallersNeverWedgesTheServer() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong answered = new AtomicLong();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread caller = new Thread(
                    () -> {
                        while (!stop.get()) {
                            try {
                                dynamo.putItem(p -> p.tableName("interrupted")
                                        .item(Map.of(
                                                "pk",
                                                AttributeValue.fromS("k"),
                                                "payload",
                                                AttributeValue.fromS("x".repeat(2000)))));
                                answered.incrementAndGet();
                            } catch (RuntimeException interruptedOrAborted) {
                                Thread.interrupted();
                            }
                        }
                    },
                    "interrupted-caller-" + i);
            caller.setDaemon(true);
            caller.start();
            callers.add(caller);
        }
        Random random = new Random(7);
        long until = System.currentTimeMillis() + 3000;
        while (System.currentTimeMillis() < until) {
            Thread.sleep(random.nextInt(4));
            callers.get(random.nextInt(callers.size())).interrupt();
        }
        long duringTheStorm = answered.get();
        Thread.sleep(500);
        stop.set(true);
        for (Thread caller : callers) {
            caller.join(40_000);
        }

        // The server still answers, at once, a caller nobody interrupts.
        ExecutorService fresh = Executors.newSingleThreadExecutor();
        try {
            long started = System.currentTimeMillis();
            assertThat(fresh.submit(() -> dynamo.listTables().tableNames()).get(10, TimeUnit.SECONDS))
                    .contains("interrupted");
            assertThat(System.currentTimeMillis() - started).isLessThan(5000);
        } finally {
            fresh.shutdownNow();
        }
        assertThat(duringTheStorm)
                .as("calls answered while callers were being interrupted")
                .isPositive();
        assertThat(callers).noneMatch(Thread::isAlive);
    }
}
