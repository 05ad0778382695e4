package dev.ota.port.out;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Job;
import java.util.Map;
import java.util.Optional;

public interface JobStore {
    void create(Job job);

    Optional<Job> find(String jobId);

    /** Devices per status: exact, a retried device counted once. */
    Map<ExecutionStatus, Long> statusCounts(String jobId);
}
