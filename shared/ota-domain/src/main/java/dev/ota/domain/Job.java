package dev.ota.domain;

import dev.ota.domain.job.JobStatus;
import java.time.Instant;

/** An operator's request to bring a set of devices of one product to one firmware. */
public record Job(String jobId, String productId, FirmwareRef firmware, RetryPolicy retryPolicy, JobStatus status, int targetCount, Instant createdAt) {}
