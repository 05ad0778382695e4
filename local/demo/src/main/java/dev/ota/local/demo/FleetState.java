package dev.ota.local.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The fleet as the backend's own tables record it (consistent reads of the local DynamoDB):
 * ExecutionsTable's rows and DevicesTable's versions. The demo's verdict comes from here (and the
 * job's statistics from the job engine), not from what the simulated devices believe.
 */
public final class FleetState {

    /** One ExecutionsTable row; {@code stage} is the rollout group it was released in (-1: none yet). */
    public record ExecutionRow(
            String jobId,
            String deviceName,
            String status,
            int attempt,
            int resultCode,
            String resultMsg,
            String fromVersion,
            String targetVersion,
            int stage) {}

    private final DynamoDbClient dynamo;

    FleetState(DynamoDbClient dynamo) {
        this.dynamo = dynamo;
    }

    List<ExecutionRow> executions(String jobId) {
        List<ExecutionRow> rows = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName("ExecutionsTable")
                    .consistentRead(true)
                    .keyConditionExpression("jobId = :j")
                    .expressionAttributeValues(Map.of(":j", AttributeValue.fromS(jobId)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                rows.add(new ExecutionRow(
                        jobId,
                        s(item, "deviceName"),
                        s(item, "status"),
                        n(item, "attempt"),
                        n(item, "resultCode"),
                        s(item, "resultMsg"),
                        s(item, "fromVersion"),
                        s(item, "targetVersion"),
                        item.containsKey("stage") ? n(item, "stage") : -1));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return rows;
    }

    /** DevicesTable currentVersion of each named device (null when the device is unknown). */
    Map<String, String> currentVersions(String productId, List<String> deviceNames) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (String name : deviceNames) {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName("DevicesTable")
                            .consistentRead(true)
                            .key(Map.of("deviceKey", AttributeValue.fromS(productId + "/" + name))))
                    .item();
            versions.put(
                    name,
                    item == null || !item.containsKey("currentVersion")
                            ? null
                            : item.get("currentVersion").s());
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
