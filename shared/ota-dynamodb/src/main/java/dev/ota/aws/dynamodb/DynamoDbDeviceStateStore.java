package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.s;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.device.DeviceId;
import dev.ota.port.out.DeviceStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Device state in the Devices table. A change of what the job records ({@link
 * ExecutionStatus#recorded}: an attempt's start and end, a resend, a retry) is mirrored to the
 * job's Executions row and per-status counters in one transaction, so counts stay exact whatever
 * order reports arrive in. Progress within one delivery writes the device item alone.
 */
public final class DynamoDbDeviceStateStore implements DeviceStateStore {

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbDeviceStateStore(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    @Override
    public VersionRecorded recordVersion(DeviceId device, String version, Instant receivedAt) {
        Expression e = new Expression()
                .set(DeviceItem.PRODUCT_ID, s(device.productId()))
                .set(DeviceItem.DEVICE_NAME, s(device.deviceName()))
                .set(DeviceItem.CURRENT_VERSION, s(version))
                .set(DeviceItem.LAST_SEEN_AT, n(receivedAt.toEpochMilli()))
                // Expires UNUPDATED_RETENTION after this report unless the device ever took an update
                // (then it holds that execution's job id, which TTL ignores): see DeviceItem.EXPIRES_AT.
                .setIfNotExists(
                        DeviceItem.EXPIRES_AT,
                        DeviceItem.JOB_ID,
                        n(receivedAt.plus(DeviceItem.UNUPDATED_RETENTION).getEpochSecond()));
        String lastSeen = e.name(DeviceItem.LAST_SEEN_AT);
        String at = e.value(n(receivedAt.toEpochMilli()));
        // The newest report names the current version; in one millisecond the greater version string
        // does, so the order of delivery never decides. The same report again writes the same values
        // (a Lambda retry still decides, and the state machine finds it a duplicate).
        String condition = "attribute_not_exists(" + lastSeen + ") OR " + lastSeen + " < " + at + " OR ("
                + lastSeen + " = " + at + " AND " + e.name(DeviceItem.CURRENT_VERSION) + " <= "
                + e.value(s(version)) + ")";
        try {
            Map<String, AttributeValue> after = dynamo.updateItem(r -> r.tableName(tables.devices())
                            .key(DeviceItem.key(device))
                            .updateExpression(e.update())
                            .conditionExpression(condition)
                            .expressionAttributeNames(e.names())
                            .expressionAttributeValues(e.values())
                            .returnValues(ReturnValue.ALL_NEW)
                            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD))
                    .attributes();
            return new VersionRecorded(DeviceItem.toState(device, after), false);
        } catch (ConditionalCheckFailedException stale) {
            return new VersionRecorded(stateOnFailure(device, stale), true);
        }
    }

    @Override
    public Optional<DeviceState> find(DeviceId device) {
        GetItemResponse response = dynamo.getItem(
                r -> r.tableName(tables.devices()).key(DeviceItem.key(device)).consistentRead(true));
        return response.hasItem() && !response.item().isEmpty()
                ? Optional.of(DeviceItem.toState(device, response.item()))
                : Optional.empty();
    }

    @Override
    public Optional<DeviceState> advancePercent(
            DeviceId device, String targetVersion, int percent, Instant receivedAt) {
        Expression e = new Expression()
                .set(DeviceItem.PERCENT, n(percent))
                .set(DeviceItem.UPDATED_AT, n(receivedAt.toEpochMilli()))
                .set(DeviceItem.DOWNLOAD_AT, n(receivedAt.toEpochMilli()));
        // The report joins the history's downloads without a read (ExecutionStateMachine.advanced).
        String downloads = e.name(DeviceItem.DOWNLOADS);
        e.setExpression(
                downloads,
                "list_append(if_not_exists(" + downloads + ", " + e.value(AttributeValue.fromL(List.of())) + "), "
                        + e.value(AttributeValue.fromL(List.of(s(ExecutionStateMachine.download(percent, receivedAt)
                                .encode()))))
                        + ")");
        String downloadAt = e.name(DeviceItem.DOWNLOAD_AT);
        String condition = e.name(DeviceItem.STATUS) + " = " + e.value(s(ExecutionStatus.DOWNLOADING.name()))
                + " AND " + e.name(DeviceItem.TARGET) + " = " + e.value(s(targetVersion))
                + " AND " + e.name(DeviceItem.PERCENT) + " < " + e.value(n(percent))
                + " AND " + e.name(DeviceItem.ATTEMPT_STARTED_AT) + " <= " + e.value(n(receivedAt.toEpochMilli()))
                + " AND (attribute_not_exists(" + downloadAt + ") OR attribute_type(" + downloadAt + ", "
                + e.value(s("NULL")) + ") OR " + downloadAt + " <= " + e.value(n(receivedAt.toEpochMilli())) + ")";
        try {
            dynamo.updateItem(r -> r.tableName(tables.devices())
                    .key(DeviceItem.key(device))
                    .updateExpression(e.update())
                    .conditionExpression(condition)
                    .expressionAttributeNames(e.names())
                    .expressionAttributeValues(e.values())
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return Optional.empty();
        } catch (ConditionalCheckFailedException notApplied) {
            return Optional.of(stateOnFailure(device, notApplied));
        }
    }

    @Override
    public boolean transition(DeviceId device, Execution before, Execution after) {
        Map<String, AttributeValue> attributes = new HashMap<>(DeviceItem.executionAttributes(after));
        if (Objects.equals(before.sentAt(), after.sentAt())) {
            // The send record moves by claimUpdate too: a transition that did not send leaves it alone.
            attributes.remove(DeviceItem.SENT_AT);
        }
        Expression e = new Expression().setAll(attributes);
        String condition = e.name(DeviceItem.JOB_ID) + " = " + e.value(s(before.jobId()))
                + " AND " + e.name(DeviceItem.STATUS) + " = "
                + e.value(s(before.status().name()))
                + " AND " + e.name(DeviceItem.ATTEMPT) + " = " + e.value(n(before.attempt()))
                + " AND " + e.name(DeviceItem.PERCENT) + " = " + e.value(n(before.percent()))
                + " AND " + DeviceItem.historyIs(e, before.history())
                + " AND " + DeviceItem.downloadAtIs(e, before.downloadAt())
                // Two scheduler runs that found the same quiet attempt: one resend, not two.
                + " AND " + resendsAre(e, before.resends());
        boolean startsAttempt = after.startsAttemptFrom(before);
        int retries = after.retriesAddedFrom(before);
        // Within one delivery (downloading, burning) the row and counters keep DELIVERED and their
        // due time (Execution.withinDeliveryOf); otherwise the row moves when what it records does.
        boolean rowChanges = !after.withinDeliveryOf(before)
                && (!ExecutionRow.attributes(device, before).equals(ExecutionRow.attributes(device, after))
                        || !Objects.equals(before.dueAt(), after.dueAt()));
        if (!rowChanges && !startsAttempt && retries == 0) {
            // A report within one delivery, or only the history or the download time moved: the
            // device item alone, one plain conditional write.
            return write(device, e, condition);
        }
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(deviceUpdate(device, e, condition));
        writes.add(ExecutionRow.upsert(tables.executions(), device, after));
        if (JobCounters.moves(before.status(), before.stage(), after.status(), after.stage(), retries)) {
            writes.add(JobCounters.move(
                    tables.jobs(),
                    after.jobId(),
                    device.deviceName(),
                    before.status(),
                    before.stage(),
                    after.status(),
                    after.stage(),
                    retries));
        }
        if (startsAttempt) {
            // A new attempt sends update_firmware: only while the job is IN_PROGRESS, checked atomically.
            writes.add(JobGuards.inProgress(tables.jobs(), after.jobId()));
        }
        return transact(writes);
    }

    @Override
    public boolean claimUpdate(DeviceId device, Execution exec, Instant at, Duration cooldown) {
        long ms = at.toEpochMilli();
        Expression e = new Expression().set(DeviceItem.SENT_AT, n(ms));
        String sentAt = e.name(DeviceItem.SENT_AT);
        // The claim belongs to the delivery: job, attempt and the delivery's start must be the stored ones.
        String condition = e.name(DeviceItem.JOB_ID) + " = " + e.value(s(exec.jobId()))
                + " AND " + e.name(DeviceItem.ATTEMPT) + " = " + e.value(n(exec.attempt()))
                + " AND " + e.name(DeviceItem.ATTEMPT_STARTED_AT) + " = "
                + e.value(n(exec.attemptStartedAt().toEpochMilli()))
                + " AND (attribute_not_exists(" + sentAt + ") OR attribute_type(" + sentAt + ", " + e.value(s("NULL"))
                + ") OR " + sentAt + " <= " + e.value(n(ms - cooldown.toMillis()))
                + " OR " + sentAt + " = " + e.value(n(ms)) + ")";
        return write(device, e, condition); // false: within the cooldown, or another delivery
    }

    private static String resendsAre(Expression e, int resends) {
        String name = e.name(DeviceItem.RESENDS);
        String is = name + " = " + e.value(n(resends));
        return resends == 0 ? "(attribute_not_exists(" + name + ") OR " + is + ")" : is;
    }

    /** A conditional write of the device item alone: no transaction. False when the condition failed. */
    private boolean write(DeviceId device, Expression e, String condition) {
        try {
            dynamo.updateItem(r -> r.tableName(tables.devices())
                    .key(DeviceItem.key(device))
                    .updateExpression(e.update())
                    .conditionExpression(condition)
                    .expressionAttributeNames(e.names())
                    .expressionAttributeValues(e.values()));
            return true;
        } catch (ConditionalCheckFailedException lostRace) {
            return false;
        }
    }

    private TransactWriteItem deviceUpdate(DeviceId device, Expression e, String condition) {
        return Transactions.update(tables.devices(), DeviceItem.key(device), e, condition);
    }

    /** False when a condition failed: the caller lost a race. */
    private boolean transact(List<TransactWriteItem> writes) {
        return Transactions.write(dynamo, writes).committed();
    }

    /** The item as the failed condition saw it; a read only where the service did not return it. */
    private DeviceState stateOnFailure(DeviceId device, ConditionalCheckFailedException failure) {
        if (failure.hasItem() && !failure.item().isEmpty()) {
            return DeviceItem.toState(device, failure.item());
        }
        return find(device).orElseGet(() -> new DeviceState(device, null, null, null));
    }
}
