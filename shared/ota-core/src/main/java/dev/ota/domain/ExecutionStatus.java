package dev.ota.domain;

/**
 * Where one device stands in one job. A retry is a new attempt of the same execution, never a
 * second execution, so per-status counts count devices.
 */
public enum ExecutionStatus {
    /** Targeted, waiting for the rollout to release it. Tencent: pending. */
    QUEUED,
    /** {@code update_firmware} sent. Tencent: message delivered. */
    DELIVERED,
    DOWNLOADING,
    BURNING,
    /** The attempt failed with a retryable code; the next version report after the interval starts a new attempt. */
    RETRY_PENDING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELED;

    /** The device has the update in hand: a version report should bring it the update again. */
    public boolean inFlight() {
        return this == DELIVERED || this == DOWNLOADING || this == BURNING;
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == TIMED_OUT || this == CANCELED;
    }
}
