package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** What {@link Transactions#write} makes of DynamoDB's answers, on moto_server. */
class TransactionsTest {

    private final DynamoDbClient dynamo = MotoTables.dynamo();
    private final String table = MotoTables.TABLES.jobs();

    private Map<String, AttributeValue> key(String id) {
        return Map.of("jobId", s(id));
    }

    private Map<String, AttributeValue> item(String id) {
        return dynamo.getItem(r -> r.tableName(table).key(key(id)).consistentRead(true))
                .item();
    }

    /** Sets {@code value} to {@code to} if it is {@code from} now (absent when {@code from} is null). */
    private TransactWriteItem setIf(String id, Long from, long to) {
        Expression e = new Expression().set("value", n(to)).add("moves", 1);
        String condition = from == null
                ? "attribute_not_exists(" + e.name("value") + ")"
                : e.name("value") + " = " + e.value(n(from));
        return Transactions.update(table, key(id), e, condition);
    }

    private TransactWriteItem checkIs(String id, long value) {
        Expression e = new Expression();
        return Transactions.check(table, key(id), e, e.name("value") + " = " + e.value(n(value)));
    }

    @Test
    void allConditionsHoldingCommitsEveryItem() {
        String a = MotoTables.id("tx");
        String b = MotoTables.id("tx");

        Transactions.Outcome outcome = Transactions.write(dynamo, List.of(setIf(a, null, 1), setIf(b, null, 2)));

        assertThat(outcome.committed()).isTrue();
        assertThat(item(a)).containsEntry("value", n(1)).containsEntry("moves", n(1));
        assertThat(item(b)).containsEntry("value", n(2));
    }

    @Test
    void oneFailedConditionIsAnOutcomeNamingItsItemAndNothingIsWritten() {
        String a = MotoTables.id("tx");
        String b = MotoTables.id("tx");
        String c = MotoTables.id("tx");
        Transactions.write(dynamo, List.of(setIf(a, null, 1), setIf(b, null, 1), setIf(c, null, 1)));

        Transactions.Outcome outcome =
                Transactions.write(dynamo, List.of(setIf(a, 1L, 2), setIf(b, 5L, 6), checkIs(c, 1)));

        assertThat(outcome.committed()).isFalse();
        assertThat(outcome.failed(0)).isFalse();
        assertThat(outcome.failed(1)).isTrue();
        assertThat(outcome.failed(2)).isFalse();
        assertThat(outcome.failed(7)).isFalse();
        assertThat(item(a)).containsEntry("value", n(1)).containsEntry("moves", n(1));
        assertThat(item(b)).containsEntry("value", n(1)).containsEntry("moves", n(1));
    }

    @Test
    void everyFailedConditionIsNamed() {
        String a = MotoTables.id("tx");
        Transactions.write(dynamo, List.of(setIf(a, null, 1)));
        String absent = MotoTables.id("tx");

        Transactions.Outcome outcome = Transactions.write(
                dynamo, List.of(setIf(absent, 3L, 4), setIf(MotoTables.id("tx"), null, 1), checkIs(a, 2)));

        assertThat(outcome.failed(0)).isTrue();
        assertThat(outcome.failed(1)).isFalse();
        assertThat(outcome.failed(2)).isTrue();
        // A failed condition on an absent item does not create it.
        assertThat(item(absent)).isEmpty();
    }

    @Test
    void aCancellationForAnyOtherReasonIsThrownForARetry() {
        String a = MotoTables.id("tx");
        Transactions.write(dynamo, List.of(setIf(a, null, 1)));
        try (DynamoDbClient conflicting = MotoTables.client(ClientOverrideConfiguration.builder()
                .addExecutionInterceptor(new CanceledByConflict())
                .build())) {

            assertThatThrownBy(() -> Transactions.write(conflicting, List.of(checkIs(a, 1))))
                    .isInstanceOfSatisfying(
                            TransactionCanceledException.class,
                            e -> assertThat(e.cancellationReasons())
                                    .extracting(r -> r.code())
                                    .containsExactly("TransactionConflict"));
        }
    }

    /**
     * Answers every TransactWriteItems as DynamoDB answers one that lost to a concurrent
     * transaction (moto_server serializes requests and never does). Used on condition checks
     * only, so what moto_server did with the request changes nothing.
     */
    private static final class CanceledByConflict implements ExecutionInterceptor {
        private static final String BODY =
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
                        + "\"Message\":\"Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]\","
                        + "\"CancellationReasons\":[{\"Code\":\"TransactionConflict\",\"Message\":\"Transaction is ongoing for the item\"}]}";

        private static boolean applies(SdkRequest request) {
            return request instanceof TransactWriteItemsRequest;
        }

        @Override
        public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            return applies(context.request())
                    ? context.httpResponse().toBuilder()
                            .statusCode(400)
                            .removeHeader("x-amz-crc32")
                            .build()
                    : context.httpResponse();
        }

        @Override
        public Optional<InputStream> modifyHttpResponseContent(
                Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            return applies(context.request())
                    ? Optional.of(new ByteArrayInputStream(BODY.getBytes(StandardCharsets.UTF_8)))
                    : context.responseBody();
        }
    }
}
