package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.s;

import dev.ota.domain.Execution;
import dev.ota.protocol.DeviceId;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The Executions table row of one device in one job (Tencent's per-device task list). Written on
 * every status change; the live download percent stays on the device item.
 */
final class ExecutionRow {
    static final String JOB_ID = "jobId";
    static final String DEVICE_NAME = "deviceName";
    /** "{jobId}#{status}": the byStatus index lists a job's devices in one status. */
    static final String JOB_STATUS = "jobStatus";

    private ExecutionRow() {}

    static Map<String, AttributeValue> attributes(DeviceId device, Execution e) {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put("productId", s(device.productId()));
        a.put("status", s(e.status().name()));
        a.put(JOB_STATUS, s(e.jobId() + "#" + e.status().name()));
        a.put("attempt", n(e.attempt()));
        a.put("percent", n(e.percent()));
        a.put("resultCode", n(e.resultCode()));
        a.put("resultMsg", s(e.resultMsg()));
        a.put("fromVersion", e.fromVersion() == null ? AttributeValue.fromNul(true) : s(e.fromVersion()));
        a.put("targetVersion", s(e.targetVersion()));
        a.put("updatedAt", n(e.updatedAt().toEpochMilli()));
        return a;
    }

    static TransactWriteItem create(String table, DeviceId device, Execution e) {
        Map<String, AttributeValue> item = attributes(device, e);
        item.put(JOB_ID, s(e.jobId()));
        item.put(DEVICE_NAME, s(device.deviceName()));
        return TransactWriteItem.builder().put(Put.builder()
                        .tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#d)")
                        .expressionAttributeNames(Map.of("#d", DEVICE_NAME))
                        .build())
                .build();
    }

    static TransactWriteItem upsert(String table, DeviceId device, Execution e) {
        Expression x = new Expression().setAll(attributes(device, e));
        return TransactWriteItem.builder().update(Update.builder()
                        .tableName(table)
                        .key(Map.of(JOB_ID, s(e.jobId()), DEVICE_NAME, s(device.deviceName())))
                        .updateExpression(x.update())
                        .expressionAttributeNames(x.names())
                        .expressionAttributeValues(x.values())
                        .build())
                .build();
    }
}
