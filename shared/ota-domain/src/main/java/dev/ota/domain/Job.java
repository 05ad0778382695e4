package dev.ota.domain;

import java.time.Instant;

/** An operator's request to bring a set of devices of one product to one firmware. */
public record Job(String jobId, String productId, FirmwareRef firmware, RetryPolicy retryPolicy, JobStatus status, int targetCount, Instant createdAt) {

    /** The job's lifecycle; the names are those of {@code JobOperations.JobState}. */
    public enum JobStatus {
        SCHEDULED, PREPARING, IN_PROGRESS, PAUSED, CANCELED, ABORTED, COMPLETED;

        /** Canceled, aborted or completed: nothing of this job is sent to a device any more. */
        public boolean ended() {
            return this == CANCELED || this == ABORTED || this == COMPLETED;
        }
    }
}
