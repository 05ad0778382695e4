package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.s;
import static dev.ota.aws.dynamodb.Attr.str;

import dev.ota.port.out.LiveJobs;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Live jobs by target firmware: a Query of the Jobs table's {@code byProduct} index (productId,
 * createdAt), filtered on targetVersion and a jobState that is not final. Reads every job of the
 * product once in the worst case; a product has few jobs next to its devices.
 */
public final class DynamoDbLiveJobs implements LiveJobs {

    public static final String BY_PRODUCT_INDEX = "byProduct";
    /** Job states in which a job may still send update_firmware. */
    public static final java.util.List<String> LIVE_STATES = java.util.List.of("SCHEDULED", "PREPARING", "IN_PROGRESS", "PAUSED");

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbLiveJobs(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    @Override
    public Optional<String> targeting(String productId, String version) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName(tables.jobs())
                    .indexName(BY_PRODUCT_INDEX)
                    .keyConditionExpression("#p = :p")
                    .filterExpression("#tv = :v AND #st IN (:s0, :s1, :s2, :s3)")
                    .projectionExpression("#id")
                    .expressionAttributeNames(Map.of("#p", "productId", "#tv", "targetVersion", "#st", "jobState", "#id", "jobId"))
                    .expressionAttributeValues(Map.of(":p", s(productId), ":v", s(version),
                            ":s0", s(LIVE_STATES.get(0)), ":s1", s(LIVE_STATES.get(1)), ":s2", s(LIVE_STATES.get(2)), ":s3", s(LIVE_STATES.get(3))))
                    .exclusiveStartKey(from));
            if (!page.items().isEmpty()) {
                return Optional.of(str(page.items().get(0), "jobId"));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return Optional.empty();
    }
}
