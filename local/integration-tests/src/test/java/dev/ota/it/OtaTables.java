package dev.ota.it;

import dev.ota.local.stack.LocalStack;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reads the stack's four tables the way an operator would: consistent reads, no shortcuts. */
final class OtaTables {

    static final List<String> ALL = List.of("DevicesTable", "JobsTable", "ExecutionsTable", "FirmwareTable");
    static final String COUNT_PREFIX = "count_";

    private OtaTables() {}

    static Map<String, AttributeValue> device(LocalStack stack, String productId, String deviceName) {
        return get(stack, "DevicesTable", Map.of("deviceKey", AttributeValue.fromS(productId + "/" + deviceName)));
    }

    static Map<String, AttributeValue> execution(LocalStack stack, String jobId, String deviceName) {
        return get(
                stack,
                "ExecutionsTable",
                Map.of("jobId", AttributeValue.fromS(jobId), "deviceName", AttributeValue.fromS(deviceName)));
    }

    static Map<String, AttributeValue> job(LocalStack stack, String jobId) {
        return get(stack, "JobsTable", Map.of("jobId", AttributeValue.fromS(jobId)));
    }

    /**
     * The job's per-status counts, leaving out the zeros: {@code {SUCCEEDED=1}}. They are the sums
     * over the job item and its counter shards ({@code <jobId>#c<n>}, see JobCounters).
     */
    static Map<String, Long> counts(LocalStack stack, String jobId) {
        Map<String, Long> counts = new TreeMap<>();
        counters(stack, jobId).forEach((name, n) -> {
            if (name.startsWith(COUNT_PREFIX)) {
                counts.put(name.substring(COUNT_PREFIX.length()), n);
            }
        });
        return counts;
    }

    /**
     * Every counter of the job by its attribute name ({@code count_<STATUS>}, per group
     * {@code s<stage>_<STATUS>}, {@code retries}), summed over the job item and its counter shards,
     * leaving out the zeros.
     */
    static Map<String, Long> counters(LocalStack stack, String jobId) {
        Map<String, Long> counters = new TreeMap<>();
        List<Map<String, AttributeValue>> items = new java.util.ArrayList<>();
        items.add(job(stack, jobId));
        for (int shard = 0; shard < dev.ota.aws.dynamodb.JobCounters.SHARDS; shard++) {
            items.add(get(stack, "JobsTable", Map.of("jobId", AttributeValue.fromS(jobId + "#c" + shard))));
        }
        for (Map<String, AttributeValue> item : items) {
            item.forEach((name, value) -> {
                if (name.startsWith(COUNT_PREFIX) || name.equals("retries") || name.matches("s\\d+_[A-Z_]+")) {
                    counters.merge(name, Long.parseLong(value.n()), Long::sum);
                }
            });
        }
        counters.values().removeIf(n -> n == 0);
        return counters;
    }

    static Map<String, AttributeValue> get(LocalStack stack, String table, Map<String, AttributeValue> key) {
        try (DynamoDbClient dynamo = stack.aws().dynamoDb()) {
            Map<String, AttributeValue> item = dynamo.getItem(
                            r -> r.tableName(table).key(key).consistentRead(true))
                    .item();
            return item == null ? Map.of() : item;
        }
    }

    /** Every item of every table, as sets so that scan order does not matter. */
    static Map<String, Set<Map<String, AttributeValue>>> scanAll(LocalStack stack) {
        Map<String, Set<Map<String, AttributeValue>>> all = new TreeMap<>();
        try (DynamoDbClient dynamo = stack.aws().dynamoDb()) {
            for (String table : ALL) {
                Set<Map<String, AttributeValue>> items = new HashSet<>();
                dynamo.scanPaginator(r -> r.tableName(table).consistentRead(true))
                        .items()
                        .forEach(items::add);
                all.put(table, items);
            }
        }
        return all;
    }

    static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static long n(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        if (v == null || v.n() == null) {
            throw new AssertionError("no number " + name + " in " + item);
        }
        return Long.parseLong(v.n());
    }
}
