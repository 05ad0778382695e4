package dev.ota.app.jobs;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobRecord;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.RolloutStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Cancels a job's executions in bounded batches: the queued ones when the job's window ended, and
 * also the live ones (releasing their devices) when the job was canceled or aborted. Nothing is
 * sent to the devices: the protocol has no cancel message, and the job-state check on every send
 * already keeps update_firmware from going out.
 */
final class Sweeper {

    static final String QUEUED = "QUEUED";
    static final String ALL = "ALL";

    record Result(int canceled, boolean more) {}

    /** Rows record an attempt in flight as DELIVERED; DOWNLOADING and BURNING for rows written before they did. */
    private static final List<ExecutionStatus> LIVE = List.of(
            ExecutionStatus.QUEUED,
            ExecutionStatus.RETRY_PENDING,
            ExecutionStatus.DELIVERED,
            ExecutionStatus.DOWNLOADING,
            ExecutionStatus.BURNING);

    private final JobRepository jobs;
    private final RolloutStore rollout;
    private final DeviceStateStore devices;
    private final Clock clock;
    private final EngineTuning tuning;
    private final StructuredLog log;

    Sweeper(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            Clock clock,
            EngineTuning tuning,
            StructuredLog log) {
        this.jobs = jobs;
        this.rollout = rollout;
        this.devices = devices;
        this.clock = clock;
        this.tuning = tuning;
        this.log = log;
    }

    Result run(String jobId, String scope) {
        long deadline = EngineTuning.deadline(tuning.workBudget());
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job == null) {
            return new Result(0, false);
        }
        String reason = switch (job.state()) {
            case CANCELED -> "job canceled";
            case ABORTED -> "job aborted";
            default ->
                "job ended at "
                        + (job.definition() == null
                                ? "its end"
                                : job.definition().window().endAt());
        };
        List<ExecutionStatus> statuses = ALL.equals(scope) ? LIVE : List.of(ExecutionStatus.QUEUED);
        Set<String> done = new HashSet<>();
        int canceled = 0;
        while (EngineTuning.before(deadline)) {
            boolean fresh = false;
            for (ExecutionStatus status : statuses) {
                for (String name : rollout.withStatus(jobId, status, tuning.pageSize())) {
                    if (!done.add(status + "/" + name)) {
                        continue;
                    }
                    fresh = true;
                    if (cancel(job, new DeviceId(job.productId(), name), status, reason)) {
                        canceled++;
                    }
                }
            }
            if (!fresh) {
                log.info("sweep", "jobId", jobId, "scope", scope, "canceled", canceled);
                return new Result(canceled, false);
            }
        }
        log.info("sweep_progress", "jobId", jobId, "scope", scope, "canceled", canceled);
        return new Result(canceled, true);
    }

    private boolean cancel(JobRecord job, DeviceId device, ExecutionStatus listedAs, String reason) {
        Instant now = clock.instant();
        if (listedAs == ExecutionStatus.QUEUED) {
            return rollout.cancelQueued(device, job.jobId(), reason, now);
        }
        for (int race = 0; race < 3; race++) {
            DeviceState state = devices.find(device).orElse(null);
            Execution exec = state == null ? null : state.liveExecution().orElse(null);
            if (exec == null || !exec.jobId().equals(job.jobId())) {
                return false;
            }
            if (devices.transition(device, exec, ExecutionStateMachine.cancel(exec, now, reason))) {
                return true;
            }
        }
        return false;
    }
}
