package dev.ota.testing;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Job;
import dev.ota.port.out.JobStore;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Jobs in memory; status counts are read off the devices' current executions. */
public final class InMemoryJobStore implements JobStore {

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final InMemoryDeviceStateStore devices;

    public InMemoryJobStore(InMemoryDeviceStateStore devices) {
        this.devices = devices;
    }

    @Override
    public void create(Job job) {
        if (jobs.putIfAbsent(job.jobId(), job) != null) {
            throw new IllegalStateException("job " + job.jobId() + " exists");
        }
    }

    @Override
    public Optional<Job> find(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    @Override
    public Map<ExecutionStatus, Long> statusCounts(String jobId) {
        Map<ExecutionStatus, Long> counts = new EnumMap<>(ExecutionStatus.class);
        for (DeviceState state : devices.all()) {
            Execution e = state.execution();
            if (e != null && e.jobId().equals(jobId)) {
                counts.merge(e.status(), 1L, Long::sum);
            }
        }
        return counts;
    }

    public List<Job> all() {
        return List.copyOf(jobs.values());
    }
}
