package dev.ota.port.out;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Page;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The executions of jobs as the scheduler moves them: QUEUED rows written by expansion, the queue
 * the rollout releases from, the executions that fall due (timeouts, retries), and the atomic
 * moves that take a device into a job. Every move changes the execution row, the device item
 * where it holds the device, and the job's counters in one transaction.
 */
public interface RolloutStore {

    /** A target as expansion writes it. */
    record QueuedDevice(String deviceName, long seq, String fromVersion) {}

    /** A queued execution, in release order. */
    record QueuedRef(String deviceName, long seq) {}

    enum DueKind {
        TIMEOUT,
        RETRY
    }

    /**
     * One row of Tencent's per-device task list.
     *
     * @param stage the rollout group the device was released or skipped in; {@link JobCounts#NO_STAGE}
     *     while it is in none (queued, or canceled while queued)
     */
    record RowView(
            String jobId,
            String deviceName,
            ExecutionStatus status,
            int percent,
            int resultCode,
            String resultMsg,
            String fromVersion,
            String targetVersion,
            int attempt,
            Instant updatedAt,
            int stage,
            String heldBy) {}

    enum ReleaseResult {
        RELEASED,
        DEVICE_TAKEN,
        NOT_QUEUED,
        JOB_NOT_ACTIVE
    }

    // ---- expansion ----

    /**
     * The expansion batch mark of those of {@code deviceNames} that already have a row in the job
     * (rows without a mark map to -1). A row carrying the current batch's mark was written by an
     * earlier, interrupted run of the same batch; any other row is a duplicate target.
     */
    Map<String, Long> expansionMarks(String jobId, Collection<String> deviceNames);

    /** Writes QUEUED rows in bulk (no per-row condition; the caller de-duplicated them). */
    void putQueued(
            String jobId, String productId, String targetVersion, long batchMark, List<QueuedDevice> rows, Instant at);

    // ---- reads ----

    List<QueuedRef> nextQueued(String jobId, int limit);

    List<QueuedRef> queuedBetween(String jobId, long fromSeq, long toSeq);

    /** Devices whose execution in the job is due by {@code now}, most overdue first. */
    List<String> due(String jobId, DueKind kind, Instant now, int limit);

    /** Some devices of the job in {@code status} (an index read: may lag by a moment). */
    List<String> withStatus(String jobId, ExecutionStatus status, int limit);

    /** The job's devices, by name, optionally one status only. */
    Page<RowView> rows(String jobId, ExecutionStatus status, String nextToken, int limit);

    /** One device's rows in these jobs (jobs without one are left out), in the order of {@code jobIds}. */
    List<RowView> deviceRows(String deviceName, List<String> jobIds);

    /** Deletes up to {@code limit} of the job's rows (whatever their status); the number deleted, 0 when none is left. */
    int deleteRows(String jobId, int limit);

    Optional<RowView> row(String jobId, String deviceName);

    /** Device items in bulk (absent devices are absent from the map). */
    Map<String, DeviceState> devices(String productId, Collection<String> deviceNames);

    /**
     * Moves the due time of the device's row in {@code execution}'s job to {@code execution.dueAt()},
     * or takes the row off the scheduler's list when that is null, if the row still records that
     * status ({@link dev.ota.domain.ExecutionStatus#recorded}) and attempt: the device was heard of
     * since the row was written (reports within one delivery move only the device item), so the row
     * is not due yet.
     */
    void rearm(DeviceId device, Execution execution);

    // ---- moves ----

    /**
     * QUEUED → DELIVERED: the device takes {@code execution} (its first attempt), if it holds no live
     * execution and does not run the target version already, and the job is IN_PROGRESS.
     */
    ReleaseResult release(DeviceId device, Execution execution);

    /**
     * QUEUED → SKIPPED in group {@code stage}: the device was not free (or already updated).
     *
     * @param waitForDevice remember on the device that this (dynamic) job wants it when it is free
     */
    boolean skip(
            DeviceId device, String jobId, int stage, String reason, String heldBy, boolean waitForDevice, Instant at);

    /** QUEUED → CANCELED, in no group: the device was never released, so it takes no place in one. */
    boolean cancelQueued(DeviceId device, String jobId, String reason, Instant at);

    /**
     * A device that qualifies for a dynamic job later: a new QUEUED row (or a SKIPPED one queued
     * again, leaving the group it was skipped in), at queue position {@code seq}. False when the job
     * already has the device otherwise.
     */
    boolean enqueueLate(
            DeviceId device,
            String jobId,
            String productId,
            String targetVersion,
            String fromVersion,
            long seq,
            Instant at);

    /**
     * An operator's retry of a device that holds no live execution: its row moves from
     * {@code row.status()} in {@code row.stage()} to {@code after} (a fresh DELIVERED attempt) and the
     * device takes it. It counts as a retry only if the device had an attempt before.
     */
    boolean restart(DeviceId device, RowView row, Execution after);
}
