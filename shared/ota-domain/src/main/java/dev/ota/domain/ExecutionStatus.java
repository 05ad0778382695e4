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
    CANCELED,
    /**
     * Never sent: when the rollout reached the device, another job's live update held it, or it
     * already ran the target version. The execution row names the reason (and the holding job).
     * A dynamic job may take the device later; a static one leaves it (an operator can retry it).
     */
    SKIPPED;

    /** The device has the update in hand: a version report should bring it the update again. */
    public boolean inFlight() {
        return this == DELIVERED || this == DOWNLOADING || this == BURNING;
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == TIMED_OUT || this == CANCELED || this == SKIPPED;
    }

    /**
     * The status the job's own records keep (its Executions row and counters): an attempt in
     * flight stays DELIVERED there from its start to its end, while the device item alone follows
     * it through DOWNLOADING and BURNING. A report within one delivery then costs one plain write of
     * the device item, not a transaction of three items ({@link Execution#withinDeliveryOf}).
     */
    public ExecutionStatus recorded() {
        return inFlight() ? DELIVERED : this;
    }

    /** Holds the device: in flight or waiting for its next attempt. */
    public boolean live() {
        return inFlight() || this == RETRY_PENDING;
    }
}
