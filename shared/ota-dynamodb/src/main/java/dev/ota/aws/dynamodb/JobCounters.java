package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.s;

import dev.ota.domain.ExecutionStatus;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Per-status device counts on the job item ({@code count_DOWNLOADING}, ...). They move only inside
 * the transaction that moves the execution, so a count is exactly the number of devices in it.
 */
final class JobCounters {
    static final String PREFIX = "count_";

    private JobCounters() {}

    static TransactWriteItem move(String table, String jobId, ExecutionStatus from, ExecutionStatus to) {
        return update(table, jobId, new Expression().add(PREFIX + from.name(), -1).add(PREFIX + to.name(), 1));
    }

    static TransactWriteItem enter(String table, String jobId, ExecutionStatus status) {
        return update(table, jobId, new Expression().add(PREFIX + status.name(), 1));
    }

    private static TransactWriteItem update(String table, String jobId, Expression e) {
        return TransactWriteItem.builder().update(Update.builder()
                        .tableName(table)
                        .key(Map.of("jobId", s(jobId)))
                        .updateExpression(e.update())
                        .conditionExpression("attribute_exists(#jobId)")
                        .expressionAttributeNames(withJobId(e.names()))
                        .expressionAttributeValues(e.values())
                        .build())
                .build();
    }

    private static Map<String, String> withJobId(Map<String, String> names) {
        names.put("#jobId", "jobId");
        return names;
    }
}
