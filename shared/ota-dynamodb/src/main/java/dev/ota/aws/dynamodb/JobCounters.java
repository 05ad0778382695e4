package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.s;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobCounts;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Per-status device counts of a job. They move only inside the transaction that moves the
 * execution's row, so a count is exactly the number of rows in that status: devices in flight
 * count as DELIVERED from an attempt's start to its end ({@link ExecutionStatus#recorded}).
 *
 * <p>The counts are spread over {@value #SHARDS} counter items per job ({@code jobId = <jobId>#c<n>},
 * the device name picks the shard) plus base counts on the job item itself (what expansion
 * counted, in bulk). A rollout of 10,000 devices a minute moves counters some 700 times a second;
 * on one item, as transactional writes, that would pass DynamoDB's 1,000 WCU per-item limit.
 * Spread over 8 items it stays near 170 WCU each. The count of a status is the sum over the job
 * item and its shards (one BatchGetItem); a single shard may go negative, the sum never does.
 *
 * <p>Each counter item also holds per-group counts ({@code s<stage>_<STATUS>}, statuses after
 * release only) that the staged rollout judges its thresholds by, and {@code retries}: attempts
 * after a device's first, so a retry is never counted as a second device.
 */
public final class JobCounters {
    static final String PREFIX = "count_";
    static final String RETRIES = "retries";
    public static final int SHARDS = 8;

    private JobCounters() {}

    static String shardKey(String jobId, String deviceName) {
        return jobId + "#c" + Math.floorMod(deviceName.hashCode(), SHARDS);
    }

    static String stageAttribute(int stage, ExecutionStatus status) {
        return "s" + stage + "_" + status.name();
    }

    /**
     * The counter update of one execution moving {@code from} (null: it is new) in group
     * {@code fromStage} to {@code to} in group {@code toStage}. Only a side in a group
     * ({@link JobCounts#inStage}) moves a group's counts: QUEUED executions, and those canceled while
     * queued, belong to none.
     */
    static TransactWriteItem move(
            String table,
            String jobId,
            String deviceName,
            ExecutionStatus from,
            int fromStage,
            ExecutionStatus to,
            int toStage,
            boolean retry) {
        return move(table, jobId, deviceName, from, fromStage, to, toStage, retry ? 1 : 0);
    }

    /** As above, adding {@code retries} (negative when a late report showed an attempt never began). */
    static TransactWriteItem move(
            String table,
            String jobId,
            String deviceName,
            ExecutionStatus from,
            int fromStage,
            ExecutionStatus to,
            int toStage,
            int retries) {
        from = recorded(from);
        to = recorded(to);
        Expression e = new Expression();
        if (from != to) {
            if (from != null) {
                e.add(PREFIX + from.name(), -1);
            }
            e.add(PREFIX + to.name(), 1);
        }
        boolean sameGroupAndStatus = from == to && fromStage == toStage;
        if (JobCounts.inStage(from, fromStage) && !sameGroupAndStatus) {
            e.add(stageAttribute(fromStage, from), -1);
        }
        if (JobCounts.inStage(to, toStage) && !sameGroupAndStatus) {
            e.add(stageAttribute(toStage, to), 1);
        }
        if (retries != 0) {
            e.add(RETRIES, retries);
        }
        return Transactions.update(table, Map.of("jobId", s(shardKey(jobId, deviceName))), e, null);
    }

    /** Whether {@link #move} would change anything. */
    static boolean moves(ExecutionStatus from, int fromStage, ExecutionStatus to, int toStage, int retries) {
        return recorded(from) != recorded(to) || fromStage != toStage || retries != 0;
    }

    /** Counters count what the job records: an attempt in flight as DELIVERED ({@link ExecutionStatus#recorded}). */
    private static ExecutionStatus recorded(ExecutionStatus status) {
        return status == null ? null : status.recorded();
    }

    static JobCounts read(DynamoDbClient dynamo, String table, String jobId) {
        return read(dynamo, table, List.of(jobId)).get(jobId);
    }

    /** Counts of many jobs: their job items and counter shards in BatchGetItem calls of 100 keys. */
    static Map<String, JobCounts> read(DynamoDbClient dynamo, String table, Collection<String> jobIds) {
        List<String> keys = new ArrayList<>();
        for (String jobId : jobIds) {
            keys.add(jobId);
            for (int i = 0; i < SHARDS; i++) {
                keys.add(jobId + "#c" + i);
            }
        }
        Map<String, Map<String, AttributeValue>> items = new HashMap<>();
        for (int from = 0; from < keys.size(); from += 100) {
            List<Map<String, AttributeValue>> batch = keys.subList(from, Math.min(keys.size(), from + 100)).stream()
                    .map(k -> Map.of("jobId", s(k)))
                    .toList();
            Batches.get(dynamo, table, batch, null)
                    .forEach(item -> items.put(item.get("jobId").s(), item));
        }
        Map<String, JobCounts> out = new LinkedHashMap<>();
        for (String jobId : jobIds) {
            Map<ExecutionStatus, Long> total = new EnumMap<>(ExecutionStatus.class);
            Map<Integer, Map<ExecutionStatus, Long>> byStage = new HashMap<>();
            long retries = 0;
            List<Map<String, AttributeValue>> parts = new ArrayList<>();
            parts.add(items.get(jobId));
            for (int i = 0; i < SHARDS; i++) {
                parts.add(items.get(jobId + "#c" + i));
            }
            for (Map<String, AttributeValue> item : parts) {
                if (item == null) {
                    continue;
                }
                for (Map.Entry<String, AttributeValue> a : item.entrySet()) {
                    String name = a.getKey();
                    if (a.getValue().n() == null) {
                        continue;
                    }
                    boolean counter = name.startsWith(PREFIX) || name.equals(RETRIES) || name.matches("s\\d+_[A-Z_]+");
                    if (!counter) {
                        continue;
                    }
                    long value = Long.parseLong(a.getValue().n());
                    if (name.startsWith(PREFIX)) {
                        status(name.substring(PREFIX.length())).ifPresent(s -> total.merge(s, value, Long::sum));
                    } else if (name.equals(RETRIES)) {
                        retries += value;
                    } else if (name.startsWith("s") && name.indexOf('_') > 1) {
                        int stage;
                        try {
                            stage = Integer.parseInt(name.substring(1, name.indexOf('_')));
                        } catch (NumberFormatException notAStageCounter) {
                            continue;
                        }
                        status(name.substring(name.indexOf('_') + 1))
                                .ifPresent(
                                        s -> byStage.computeIfAbsent(stage, k -> new EnumMap<>(ExecutionStatus.class))
                                                .merge(s, value, Long::sum));
                    }
                }
            }
            out.put(jobId, new JobCounts(total, byStage, retries));
        }
        return out;
    }

    private static Optional<ExecutionStatus> status(String name) {
        try {
            return Optional.of(ExecutionStatus.valueOf(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
