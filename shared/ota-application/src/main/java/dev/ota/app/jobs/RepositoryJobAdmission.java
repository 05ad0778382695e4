package dev.ota.app.jobs;

import dev.ota.domain.job.JobStatus;
import dev.ota.port.out.JobAdmission;
import dev.ota.port.out.JobRepository;
import java.util.Optional;

/**
 * Admits a send by reading the job's state, strongly consistent (one small read, only on the sends
 * the device protocol triggers: a resend or a device-driven retry). A job that is unknown, e.g. one
 * made before jobs were recorded, is admitted.
 */
public final class RepositoryJobAdmission implements JobAdmission {

    private final JobRepository jobs;

    public RepositoryJobAdmission(JobRepository jobs) {
        this.jobs = jobs;
    }

    @Override
    public boolean mayResend(String jobId) {
        Optional<JobStatus> state = jobs.state(jobId);
        return state.isEmpty() || !state.get().ended();
    }

    @Override
    public boolean mayStartAttempt(String jobId) {
        Optional<JobStatus> state = jobs.state(jobId);
        return state.isEmpty() || state.get() == JobStatus.IN_PROGRESS;
    }
}
