package dev.ota.local.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The fleet as the backend's own tables record it (consistent reads of the local DynamoDB):
 * JobsTable's per-state counters and ExecutionsTable's rows. The demo's progress, its stage gates
 * and its verdict come from here, not from what the simulated devices believe.
 */
public final class FleetState {

    /** One ExecutionsTable row. */
    public record ExecutionRow(String jobId, String deviceName, String status, int attempt, int resultCode, String resultMsg,
                        String fromVersion, String targetVersion) {}

    private final DynamoDbClient dynamo;

    FleetState(DynamoDbClient dynamo) {
        this.dynamo = dynamo;
    }

    /** JobsTable {@code count_*} of one job, by state; empty if the job does not exist. */
    Map<String, Integer> counts(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName("JobsTable").consistentRead(true)
                .key(Map.of("jobId", AttributeValue.fromS(jobId)))).item();
        Map<String, Integer> counts = new TreeMap<>();
        if (item != null) {
            item.forEach((name, value) -> {
                if (name.startsWith("count_") && value.n() != null) {
                    counts.put(name.substring("count_".length()), Integer.parseInt(value.n()));
                }
            });
        }
        return counts;
    }

    List<ExecutionRow> executions(String jobId) {
        List<ExecutionRow> rows = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName("ExecutionsTable").consistentRead(true)
                    .keyConditionExpression("jobId = :j")
                    .expressionAttributeValues(Map.of(":j", AttributeValue.fromS(jobId)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                rows.add(new ExecutionRow(jobId, s(item, "deviceName"), s(item, "status"), n(item, "attempt"), n(item, "resultCode"),
                        s(item, "resultMsg"), s(item, "fromVersion"), s(item, "targetVersion")));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return rows;
    }

    /** DevicesTable currentVersion of each named device (null when the device is unknown). */
    Map<String, String> currentVersions(String productId, List<String> deviceNames) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (String name : deviceNames) {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName("DevicesTable").consistentRead(true)
                    .key(Map.of("deviceKey", AttributeValue.fromS(productId + "/" + name)))).item();
            versions.put(name, item == null || !item.containsKey("currentVersion") ? null : item.get("currentVersion").s());
        }
        return versions;
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static int n(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Integer.parseInt(v.n());
    }
}
