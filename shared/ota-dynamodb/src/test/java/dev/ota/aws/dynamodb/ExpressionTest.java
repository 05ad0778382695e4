package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Update expressions as {@link Expression} builds them, applied by moto_server. */
class ExpressionTest {

    private final DynamoDbClient dynamo = MotoTables.dynamo();
    private final String table = MotoTables.TABLES.jobs();
    private final Map<String, AttributeValue> key = Map.of("jobId", s(MotoTables.id("expr")));

    private void apply(Expression e) {
        dynamo.updateItem(r -> r.tableName(table)
                .key(key)
                .updateExpression(e.update())
                .expressionAttributeNames(e.names())
                .expressionAttributeValues(e.values()));
    }

    private Map<String, AttributeValue> item() {
        return dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true))
                .item();
    }

    @Test
    void reservedWordsAreFineAsAttributeNames() {
        apply(new Expression()
                .set("status", s("QUEUED"))
                .set("size", n(3))
                .add("count", 2)
                .addSet("name", AttributeValue.fromSs(List.of("a", "b"))));
        apply(new Expression()
                .add("count", -1)
                .delete("name", AttributeValue.fromSs(List.of("a")))
                .setOrRemove("size", null)
                .setOrRemove("status", s("DELIVERED")));

        Map<String, AttributeValue> item = item();
        assertThat(item)
                .containsEntry("status", s("DELIVERED"))
                .containsEntry("count", n(1))
                .doesNotContainKey("size");
        assertThat(item.get("name").ss()).containsExactly("b");
    }

    @Test
    void anUpdateThatOnlyRemovesNeedsNoValues() {
        apply(new Expression().set("data", s("x")).set("other", s("y")));

        Expression removal = new Expression().remove("data");
        assertThat(removal.values()).isNull();
        apply(removal);

        assertThat(item()).doesNotContainKey("data").containsEntry("other", s("y"));
    }

    @Test
    void theSameAttributeNamedTwiceIsOnePlaceholder() {
        Expression e = new Expression();
        String first = e.name("status");
        e.set("status", s("A"));

        assertThat(e.update()).isEqualTo("SET " + first + " = :v0");
        assertThat(e.names()).containsOnlyKeys(first);
    }
}
