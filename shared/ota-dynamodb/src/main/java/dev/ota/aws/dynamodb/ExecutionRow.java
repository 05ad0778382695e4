package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.s;

import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.device.DeviceId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The Executions table row of one device in one job (Tencent's per-device task list). Written when
 * what the job records changes: an attempt's start and end, a resend, a retry. In flight the row
 * says DELIVERED ({@link ExecutionStatus#recorded}); the live status and percent stay on the device item.
 *
 * <p>Three sparse indexes hang off the row: {@code byStatus} ({@code jobStatus}), {@code byQueue}
 * ({@code queuedJob}, {@code seq}: only while QUEUED, the rollout's release order) and {@code byDue}
 * ({@code dueKey} = {@code <jobId>#T} while an attempt with a timeout is in flight, {@code <jobId>#R}
 * while a retry is pending; {@code dueAt} when the scheduler must look again: at the latest, for a
 * report within the same delivery leaves the row as it was, see {@link Execution#withinDeliveryOf}).
 */
final class ExecutionRow {
    static final String JOB_ID = "jobId";
    static final String DEVICE_NAME = "deviceName";
    /** "{jobId}#{status}": the byStatus index lists a job's devices in one status. */
    static final String JOB_STATUS = "jobStatus";

    static final String STATUS = "status";
    static final String QUEUED_JOB = "queuedJob";
    static final String SEQ = "seq";
    static final String EXP_BATCH = "expBatch";
    static final String DUE_KEY = "dueKey";
    static final String DUE_AT = "dueAt";
    static final String STAGE = "stage";
    static final String HELD_BY = "heldBy";

    private ExecutionRow() {}

    static Map<String, AttributeValue> key(String jobId, String deviceName) {
        return Map.of(JOB_ID, s(jobId), DEVICE_NAME, s(deviceName));
    }

    static String dueKey(String jobId, boolean retry) {
        return jobId + (retry ? "#R" : "#T");
    }

    static Map<String, AttributeValue> attributes(DeviceId device, Execution e) {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put("productId", s(device.productId()));
        a.put(STATUS, s(e.status().recorded().name()));
        a.put(JOB_STATUS, s(e.jobId() + "#" + e.status().recorded().name()));
        a.put("attempt", n(e.attempt()));
        a.put("resumes", n(e.resumes()));
        a.put("percent", n(e.percent()));
        a.put("resultCode", n(e.resultCode()));
        a.put("resultMsg", s(e.resultMsg()));
        a.put("fromVersion", e.fromVersion() == null ? AttributeValue.fromNul(true) : s(e.fromVersion()));
        a.put("targetVersion", s(e.targetVersion()));
        a.put("updatedAt", n(e.updatedAt().toEpochMilli()));
        a.put(STAGE, n(e.stage()));
        return a;
    }

    /** SET of the execution's attributes; the queue and due index keys follow its status. */
    static Expression changes(DeviceId device, Execution e) {
        Expression x = new Expression().setAll(attributes(device, e));
        x.remove(QUEUED_JOB).remove(SEQ).remove(HELD_BY);
        Instant due = e.dueAt();
        if (due == null) {
            x.remove(DUE_KEY).remove(DUE_AT);
        } else {
            x.set(DUE_KEY, s(dueKey(e.jobId(), e.status() == ExecutionStatus.RETRY_PENDING)))
                    .set(DUE_AT, n(due.toEpochMilli()));
        }
        return x;
    }

    static TransactWriteItem upsert(String table, DeviceId device, Execution e) {
        return update(table, e.jobId(), device.deviceName(), changes(device, e), null);
    }

    /** The row's update, conditional on its status being {@code expectedStatus} (null: no condition). */
    static TransactWriteItem update(
            String table, String jobId, String deviceName, Expression x, ExecutionStatus expectedStatus) {
        String condition = expectedStatus == null ? null : x.name(STATUS) + " = " + x.value(s(expectedStatus.name()));
        return Transactions.update(table, key(jobId, deviceName), x, condition);
    }
}
