package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.s;
import static dev.ota.aws.dynamodb.Attr.str;

import dev.ota.domain.job.JobStatus;
import dev.ota.port.out.LiveJobs;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
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
    /** Job states in which a job may still send update_firmware: every state but the ended ones. */
    static final List<JobStatus> LIVE_STATES = Arrays.stream(JobStatus.values()).filter(state -> !state.ended()).toList();

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbLiveJobs(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    @Override
    public Optional<String> targeting(String productId, String version) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":p", s(productId), ":v", s(version)));
        StringJoiner live = new StringJoiner(", ", "(", ")");
        for (JobStatus state : LIVE_STATES) {
            String name = ":s" + state.ordinal();
            values.put(name, s(state.name()));
            live.add(name);
        }
        String filter = "#tv = :v AND #st IN " + live;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName(tables.jobs())
                    .indexName(BY_PRODUCT_INDEX)
                    .keyConditionExpression("#p = :p")
                    .filterExpression(filter)
                    .projectionExpression("#id")
                    .expressionAttributeNames(Map.of("#p", "productId", "#tv", "targetVersion", "#st", "jobState", "#id", "jobId"))
                    .expressionAttributeValues(values)
                    .exclusiveStartKey(from));
            if (!page.items().isEmpty()) {
                return Optional.of(str(page.items().get(0), "jobId"));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return Optional.empty();
    }
}
