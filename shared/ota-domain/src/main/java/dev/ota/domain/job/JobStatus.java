package dev.ota.domain.job;

/**
 * A job's lifecycle (docs/jobs.md, "Job lifecycle"): stored on the job item as {@code jobState}
 * and shown by the operator API as the job's {@code state}, under these names.
 */
public enum JobStatus {
    SCHEDULED,
    PREPARING,
    IN_PROGRESS,
    PAUSED,
    CANCELED,
    ABORTED,
    COMPLETED,
    /**
     * An operator deleted the finished job: its execution rows are being deleted in bounded steps,
     * then the job item and its counters (AWS IoT Jobs' DELETION_IN_PROGRESS).
     */
    DELETION_IN_PROGRESS;

    /** Canceled, aborted, completed or being deleted: nothing of this job is sent to a device any more. */
    public boolean ended() {
        return this == CANCELED || this == ABORTED || this == COMPLETED || this == DELETION_IN_PROGRESS;
    }

    /** Ended before it ran its course: canceled by an operator or aborted by a stage's failure threshold. */
    public boolean stopped() {
        return this == CANCELED || this == ABORTED;
    }
}
