package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.num;
import static dev.ota.aws.dynamodb.Attr.s;
import static dev.ota.aws.dynamodb.Attr.str;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import dev.ota.port.out.RolloutStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The scheduler's side of the Executions table (and of the Devices and Jobs items its moves
 * touch). See {@link ExecutionRow} for the indexes.
 */
public final class DynamoDbRolloutStore implements RolloutStore {

    public static final String BY_STATUS = "byStatus";
    public static final String BY_QUEUE = "byQueue";
    public static final String BY_DUE = "byDue";

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbRolloutStore(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    // ---- expansion ----

    @Override
    public Map<String, Long> expansionMarks(String jobId, Collection<String> deviceNames) {
        List<Map<String, AttributeValue>> keys =
                deviceNames.stream().map(d -> ExecutionRow.key(jobId, d)).toList();
        Map<String, Long> marks = new HashMap<>();
        for (Map<String, AttributeValue> item :
                Batches.get(dynamo, tables.executions(), keys, "deviceName, expBatch")) {
            marks.put(item.get(ExecutionRow.DEVICE_NAME).s(), num(item, ExecutionRow.EXP_BATCH, -1));
        }
        return marks;
    }

    @Override
    public void putQueued(
            String jobId, String productId, String targetVersion, long batchMark, List<QueuedDevice> rows, Instant at) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(rows.size());
        AttributeValue job = s(jobId);
        AttributeValue product = s(productId);
        AttributeValue queued = s(ExecutionStatus.QUEUED.name());
        AttributeValue jobStatus = s(jobId + "#" + ExecutionStatus.QUEUED.name());
        AttributeValue target = s(targetVersion);
        AttributeValue mark = n(batchMark);
        AttributeValue zero = n(0);
        AttributeValue empty = s("");
        AttributeValue updated = n(at.toEpochMilli());
        for (QueuedDevice row : rows) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(ExecutionRow.JOB_ID, job);
            item.put(ExecutionRow.DEVICE_NAME, s(row.deviceName()));
            item.put("productId", product);
            item.put(ExecutionRow.STATUS, queued);
            item.put(ExecutionRow.JOB_STATUS, jobStatus);
            item.put(ExecutionRow.QUEUED_JOB, job);
            item.put(ExecutionRow.SEQ, n(row.seq()));
            item.put(ExecutionRow.EXP_BATCH, mark);
            item.put("targetVersion", target);
            item.put("fromVersion", row.fromVersion() == null ? AttributeValue.fromNul(true) : s(row.fromVersion()));
            item.put("attempt", zero);
            item.put("percent", zero);
            item.put("resultCode", zero);
            item.put("resultMsg", empty);
            item.put("updatedAt", updated);
            items.add(item);
        }
        Batches.put(dynamo, tables.executions(), items);
    }

    // ---- reads ----

    @Override
    public List<QueuedRef> nextQueued(String jobId, int limit) {
        return queued(jobId, "#q = :j", Map.of(":j", s(jobId)), limit);
    }

    @Override
    public List<QueuedRef> queuedBetween(String jobId, long fromSeq, long toSeq) {
        return queued(
                jobId,
                "#q = :j AND #seq BETWEEN :a AND :b",
                Map.of(":j", s(jobId), ":a", n(fromSeq), ":b", n(toSeq)),
                Integer.MAX_VALUE);
    }

    private List<QueuedRef> queued(String jobId, String condition, Map<String, AttributeValue> values, int limit) {
        List<QueuedRef> refs = new ArrayList<>();
        Map<String, String> names = condition.contains("#seq")
                ? Map.of("#q", ExecutionRow.QUEUED_JOB, "#seq", ExecutionRow.SEQ)
                : Map.of("#q", ExecutionRow.QUEUED_JOB);
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            int want = limit - refs.size();
            QueryResponse page = dynamo.query(r -> r.tableName(tables.executions())
                    .indexName(BY_QUEUE)
                    .keyConditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .scanIndexForward(true)
                    .limit(Math.min(want, 1000))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                refs.add(new QueuedRef(item.get(ExecutionRow.DEVICE_NAME).s(), num(item, ExecutionRow.SEQ, 0)));
            }
            start = page.lastEvaluatedKey();
        } while (start != null && !start.isEmpty() && refs.size() < limit);
        return refs;
    }

    @Override
    public List<String> due(String jobId, DueKind kind, Instant now, int limit) {
        QueryResponse page = dynamo.query(r -> r.tableName(tables.executions())
                .indexName(BY_DUE)
                .keyConditionExpression("#k = :k AND #at <= :now")
                .expressionAttributeNames(Map.of("#k", ExecutionRow.DUE_KEY, "#at", ExecutionRow.DUE_AT))
                .expressionAttributeValues(Map.of(
                        ":k", s(ExecutionRow.dueKey(jobId, kind == DueKind.RETRY)), ":now", n(now.toEpochMilli())))
                .limit(limit));
        return page.items().stream()
                .map(i -> i.get(ExecutionRow.DEVICE_NAME).s())
                .toList();
    }

    @Override
    public void rearm(DeviceId device, Execution execution) {
        Instant due = execution.dueAt();
        // No longer due (burning without a timeout): the row leaves the byDue index.
        Expression x = due == null
                ? new Expression().remove(ExecutionRow.DUE_KEY).remove(ExecutionRow.DUE_AT)
                : new Expression().set(ExecutionRow.DUE_AT, n(due.toEpochMilli()));
        String condition = x.name(ExecutionRow.STATUS) + " = "
                + x.value(s(execution.status().recorded().name())) + " AND " + x.name("attempt") + " = "
                + x.value(n(execution.attempt()));
        try {
            dynamo.updateItem(r -> r.tableName(tables.executions())
                    .key(ExecutionRow.key(execution.jobId(), device.deviceName()))
                    .updateExpression(x.update())
                    .conditionExpression(condition)
                    .expressionAttributeNames(x.names())
                    .expressionAttributeValues(x.values()));
        } catch (ConditionalCheckFailedException moved) {
            // The row moved on meanwhile; its own write set its due time.
        }
    }

    @Override
    public List<String> withStatus(String jobId, ExecutionStatus status, int limit) {
        QueryResponse page = dynamo.query(r -> r.tableName(tables.executions())
                .indexName(BY_STATUS)
                .keyConditionExpression("#js = :js")
                .expressionAttributeNames(Map.of("#js", ExecutionRow.JOB_STATUS))
                .expressionAttributeValues(Map.of(":js", s(jobId + "#" + status.name())))
                .limit(limit));
        return page.items().stream()
                .map(i -> i.get(ExecutionRow.DEVICE_NAME).s())
                .toList();
    }

    @Override
    public Page<RowView> rows(String jobId, ExecutionStatus status, String nextToken, int limit) {
        List<String> keyNames = status == null
                ? List.of(ExecutionRow.JOB_ID, ExecutionRow.DEVICE_NAME)
                : List.of(ExecutionRow.JOB_ID, ExecutionRow.DEVICE_NAME, ExecutionRow.JOB_STATUS);
        Map<String, AttributeValue> start = PageTokens.decode(nextToken, keyNames);
        // A key from another job's (or status's) listing: DynamoDB refuses a start key outside the query's partition.
        if (start != null
                && (!jobId.equals(str(start, ExecutionRow.JOB_ID))
                        || status != null
                                && !(jobId + "#" + status.name()).equals(str(start, ExecutionRow.JOB_STATUS)))) {
            throw PageTokens.invalid();
        }
        QueryRequest.Builder q = QueryRequest.builder()
                .tableName(tables.executions())
                .limit(limit)
                .exclusiveStartKey(start);
        if (status == null) {
            q.keyConditionExpression("#j = :j")
                    .expressionAttributeNames(Map.of("#j", ExecutionRow.JOB_ID))
                    .expressionAttributeValues(Map.of(":j", s(jobId)));
        } else {
            q.indexName(BY_STATUS)
                    .keyConditionExpression("#js = :js")
                    .expressionAttributeNames(Map.of("#js", ExecutionRow.JOB_STATUS))
                    .expressionAttributeValues(Map.of(":js", s(jobId + "#" + status.name())));
        }
        QueryResponse page = dynamo.query(q.build());
        List<RowView> rows =
                page.items().stream().map(DynamoDbRolloutStore::toRow).toList();
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        return new Page<>(rows, last == null || last.isEmpty() ? null : PageTokens.encode(last, keyNames));
    }

    @Override
    public Optional<RowView> row(String jobId, String deviceName) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(tables.executions())
                        .key(ExecutionRow.key(jobId, deviceName))
                        .consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toRow(item));
    }

    /** One BatchGetItem per 100 jobs (eventually consistent would do; the batch helper reads consistently). */
    @Override
    public List<RowView> deviceRows(String deviceName, List<String> jobIds) {
        List<Map<String, AttributeValue>> keys = jobIds.stream()
                .map(jobId -> ExecutionRow.key(jobId, deviceName))
                .toList();
        Map<String, RowView> byJob = new HashMap<>();
        for (Map<String, AttributeValue> item : Batches.get(dynamo, tables.executions(), keys, null)) {
            RowView row = toRow(item);
            byJob.put(row.jobId(), row);
        }
        return jobIds.stream().map(byJob::get).filter(Objects::nonNull).toList();
    }

    /** A Query of the job's partition for keys alone, then BatchWriteItem deletes (25 a call). */
    @Override
    public int deleteRows(String jobId, int limit) {
        QueryResponse page = dynamo.query(r -> r.tableName(tables.executions())
                .keyConditionExpression("#j = :j")
                .expressionAttributeNames(Map.of("#j", ExecutionRow.JOB_ID, "#d", ExecutionRow.DEVICE_NAME))
                .expressionAttributeValues(Map.of(":j", s(jobId)))
                .projectionExpression("#j, #d")
                .limit(limit));
        List<WriteRequest> deletes = page.items().stream()
                .map(item -> WriteRequest.builder()
                        .deleteRequest(DeleteRequest.builder()
                                .key(ExecutionRow.key(jobId, str(item, ExecutionRow.DEVICE_NAME)))
                                .build())
                        .build())
                .toList();
        Batches.write(dynamo, tables.executions(), deletes);
        return deletes.size();
    }

    @Override
    public Map<String, DeviceState> devices(String productId, Collection<String> deviceNames) {
        List<Map<String, AttributeValue>> keys = deviceNames.stream()
                .map(d -> DeviceItem.key(new DeviceId(productId, d)))
                .toList();
        Map<String, DeviceState> states = new HashMap<>();
        for (Map<String, AttributeValue> item : Batches.get(dynamo, tables.devices(), keys, null)) {
            String key = item.get(DeviceItem.KEY).s();
            String name = key.substring(key.indexOf('/') + 1);
            states.put(name, DeviceItem.toState(new DeviceId(productId, name), item));
        }
        return states;
    }

    static RowView toRow(Map<String, AttributeValue> item) {
        Long updated = Attr.optNum(item, "updatedAt");
        return new RowView(
                str(item, ExecutionRow.JOB_ID),
                str(item, ExecutionRow.DEVICE_NAME),
                ExecutionStatus.valueOf(str(item, ExecutionRow.STATUS)),
                (int) num(item, "percent", 0),
                (int) num(item, "resultCode", 0),
                str(item, "resultMsg") == null ? "" : str(item, "resultMsg"),
                str(item, "fromVersion"),
                str(item, "targetVersion"),
                (int) num(item, "attempt", 0),
                updated == null ? null : Instant.ofEpochMilli(updated),
                (int) num(item, ExecutionRow.STAGE, JobCounts.NO_STAGE),
                str(item, ExecutionRow.HELD_BY));
    }

    // ---- moves ----

    @Override
    public ReleaseResult release(DeviceId device, Execution execution) {
        Expression d = new Expression()
                .set(DeviceItem.PRODUCT_ID, s(device.productId()))
                .set(DeviceItem.DEVICE_NAME, s(device.deviceName()))
                .setAll(DeviceItem.executionAttributes(execution));
        String version = d.name(DeviceItem.CURRENT_VERSION);
        String condition = DeviceItem.isFree(d) + " AND (attribute_not_exists(" + version + ") OR " + version + " <> "
                + d.value(s(execution.targetVersion())) + ")";
        List<TransactWriteItem> writes = List.of(
                deviceUpdate(device, d, condition),
                ExecutionRow.update(
                        tables.executions(),
                        execution.jobId(),
                        device.deviceName(),
                        ExecutionRow.changes(device, execution),
                        ExecutionStatus.QUEUED),
                JobCounters.move(
                        tables.jobs(),
                        execution.jobId(),
                        device.deviceName(),
                        ExecutionStatus.QUEUED,
                        execution.stage(),
                        execution.status(),
                        execution.stage(),
                        false),
                JobGuards.inProgress(tables.jobs(), execution.jobId()));
        Transactions.Outcome outcome = Transactions.write(dynamo, writes);
        if (outcome.committed()) {
            return ReleaseResult.RELEASED;
        }
        if (outcome.failed(3)) {
            return ReleaseResult.JOB_NOT_ACTIVE;
        }
        if (outcome.failed(1)) {
            return ReleaseResult.NOT_QUEUED;
        }
        return ReleaseResult.DEVICE_TAKEN;
    }

    @Override
    public boolean skip(
            DeviceId device, String jobId, int stage, String reason, String heldBy, boolean waitForDevice, Instant at) {
        Expression r =
                queuedRowLeaves(jobId, ExecutionStatus.SKIPPED, reason, at).set(ExecutionRow.STAGE, n(stage));
        r.setOrRemove(ExecutionRow.HELD_BY, heldBy == null ? null : s(heldBy));
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(ExecutionRow.update(tables.executions(), jobId, device.deviceName(), r, ExecutionStatus.QUEUED));
        writes.add(JobCounters.move(
                tables.jobs(),
                jobId,
                device.deviceName(),
                ExecutionStatus.QUEUED,
                stage,
                ExecutionStatus.SKIPPED,
                stage,
                false));
        if (waitForDevice) {
            Expression w = new Expression().addSet(DeviceItem.WAITING_JOBS, AttributeValue.fromSs(List.of(jobId)));
            writes.add(Transactions.update(tables.devices(), DeviceItem.key(device), w, null));
        }
        return transact(writes);
    }

    @Override
    public boolean cancelQueued(DeviceId device, String jobId, String reason, Instant at) {
        // Never released, so in no group: the row keeps no stage, and no group's counts move.
        Expression r =
                queuedRowLeaves(jobId, ExecutionStatus.CANCELED, reason, at).remove(ExecutionRow.STAGE);
        return transact(List.of(
                ExecutionRow.update(tables.executions(), jobId, device.deviceName(), r, ExecutionStatus.QUEUED),
                JobCounters.move(
                        tables.jobs(),
                        jobId,
                        device.deviceName(),
                        ExecutionStatus.QUEUED,
                        JobCounts.NO_STAGE,
                        ExecutionStatus.CANCELED,
                        JobCounts.NO_STAGE,
                        false)));
    }

    private static Expression queuedRowLeaves(String jobId, ExecutionStatus to, String reason, Instant at) {
        return new Expression()
                .set(ExecutionRow.STATUS, s(to.name()))
                .set(ExecutionRow.JOB_STATUS, s(jobId + "#" + to.name()))
                .set("resultMsg", s(reason))
                .set("updatedAt", n(at.toEpochMilli()))
                .remove(ExecutionRow.QUEUED_JOB)
                .remove(ExecutionRow.SEQ)
                .remove(ExecutionRow.DUE_KEY)
                .remove(ExecutionRow.DUE_AT);
    }

    @Override
    public boolean enqueueLate(
            DeviceId device,
            String jobId,
            String productId,
            String targetVersion,
            String fromVersion,
            long seq,
            Instant at) {
        Optional<RowView> existing = row(jobId, device.deviceName());
        if (existing.isPresent() && existing.get().status() != ExecutionStatus.SKIPPED) {
            return false;
        }
        Expression r = new Expression()
                .set("productId", s(productId))
                .set(ExecutionRow.STATUS, s(ExecutionStatus.QUEUED.name()))
                .set(ExecutionRow.JOB_STATUS, s(jobId + "#" + ExecutionStatus.QUEUED.name()))
                .set(ExecutionRow.QUEUED_JOB, s(jobId))
                .set(ExecutionRow.SEQ, n(seq))
                .set("targetVersion", s(targetVersion))
                .set("fromVersion", fromVersion == null ? AttributeValue.fromNul(true) : s(fromVersion))
                .set("attempt", n(0))
                .set("percent", n(0))
                .set("resultCode", n(0))
                .set("resultMsg", s(""))
                .set("updatedAt", n(at.toEpochMilli()))
                .remove(ExecutionRow.HELD_BY)
                .remove(ExecutionRow.STAGE);
        List<TransactWriteItem> writes = new ArrayList<>();
        if (existing.isEmpty()) {
            String condition = "attribute_not_exists(" + r.name(ExecutionRow.DEVICE_NAME) + ")";
            writes.add(Transactions.update(
                    tables.executions(), ExecutionRow.key(jobId, device.deviceName()), r, condition));
            writes.add(JobCounters.move(
                    tables.jobs(),
                    jobId,
                    device.deviceName(),
                    null,
                    JobCounts.NO_STAGE,
                    ExecutionStatus.QUEUED,
                    JobCounts.NO_STAGE,
                    false));
            Expression j = new Expression().add("targetCount", 1);
            String takes = "attribute_exists(" + j.name(DynamoDbJobRepository.DYNAMIC_PRODUCT) + ")";
            writes.add(Transactions.update(tables.jobs(), Map.of("jobId", s(jobId)), j, takes));
        } else {
            int stage = existing.get().stage();
            writes.add(
                    ExecutionRow.update(tables.executions(), jobId, device.deviceName(), r, ExecutionStatus.SKIPPED));
            // Queued again: it leaves the group it was skipped in.
            writes.add(JobCounters.move(
                    tables.jobs(),
                    jobId,
                    device.deviceName(),
                    ExecutionStatus.SKIPPED,
                    stage,
                    ExecutionStatus.QUEUED,
                    JobCounts.NO_STAGE,
                    false));
            writes.add(JobGuards.takesLateDevices(tables.jobs(), jobId));
        }
        Expression w = new Expression().delete(DeviceItem.WAITING_JOBS, AttributeValue.fromSs(List.of(jobId)));
        writes.add(Transactions.update(tables.devices(), DeviceItem.key(device), w, null));
        return transact(writes);
    }

    @Override
    public boolean restart(DeviceId device, RowView row, Execution after) {
        Expression d = new Expression()
                .set(DeviceItem.PRODUCT_ID, s(device.productId()))
                .set(DeviceItem.DEVICE_NAME, s(device.deviceName()))
                .setAll(DeviceItem.executionAttributes(after))
                .delete(DeviceItem.WAITING_JOBS, AttributeValue.fromSs(List.of(after.jobId())));
        String condition = DeviceItem.isFree(d);
        // An attempt after an earlier one; a device never released (queued, skipped, canceled while queued) had none.
        boolean retry = row.attempt() > 0;
        return transact(List.of(
                deviceUpdate(device, d, condition),
                ExecutionRow.update(
                        tables.executions(),
                        after.jobId(),
                        device.deviceName(),
                        ExecutionRow.changes(device, after),
                        row.status()),
                JobCounters.move(
                        tables.jobs(),
                        after.jobId(),
                        device.deviceName(),
                        row.status(),
                        row.stage(),
                        after.status(),
                        after.stage(),
                        retry),
                JobGuards.inProgress(tables.jobs(), after.jobId())));
    }

    // ---- plumbing ----

    private TransactWriteItem deviceUpdate(DeviceId device, Expression e, String condition) {
        return Transactions.update(tables.devices(), DeviceItem.key(device), e, condition);
    }

    /** False when a condition failed (a lost race, or the job no longer allows the move). */
    private boolean transact(List<TransactWriteItem> writes) {
        return Transactions.write(dynamo, writes).committed();
    }
}
