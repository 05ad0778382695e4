package dev.ota.app.jobs;

import dev.ota.app.UpdateSender;
import dev.ota.domain.Decision;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.RolloutMetrics;
import dev.ota.port.out.RolloutStore;
import dev.ota.port.out.RolloutStore.DueKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Executions that fell due: attempts past their in-progress timeout (→ a pending retry, or
 * TIMED_OUT when the attempts are used up), attempts that went quiet before it (→ update_firmware
 * again, same attempt, fresh URL, at most {@link dev.ota.domain.Execution#MAX_QUIET_RESENDS}) and pending retries whose interval passed (→ the next
 * attempt, update_firmware sent at once rather than waiting for the device to report again). The
 * due index holds only such executions, so the work is proportional to what is due, not to the job.
 */
final class DueWorker {

    record Result(int timedOut, int retried, int resent, boolean more) {}

    private final JobRepository jobs;
    private final RolloutStore rollout;
    private final DeviceStateStore devices;
    private final UpdateSender updates;
    private final Clock clock;
    private final EngineTuning tuning;
    private final StructuredLog log;
    private final RolloutMetrics metrics;

    DueWorker(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            UpdateSender updates,
            Clock clock,
            EngineTuning tuning,
            StructuredLog log) {
        this(jobs, rollout, devices, updates, clock, tuning, log, RolloutMetrics.NONE);
    }

    DueWorker(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            UpdateSender updates,
            Clock clock,
            EngineTuning tuning,
            StructuredLog log,
            RolloutMetrics metrics) {
        this.metrics = metrics;
        this.jobs = jobs;
        this.rollout = rollout;
        this.devices = devices;
        this.updates = updates;
        this.clock = clock;
        this.tuning = tuning;
        this.log = log;
    }

    /** A resend of the same attempt, like the version-report path's: not once the job ended (strongly consistent). */
    private boolean mayResend(String jobId) {
        return jobs.state(jobId).map(state -> !state.ended()).orElse(false);
    }

    Result run(String jobId, DueKind kind) {
        long deadline = EngineTuning.deadline(tuning.workBudget());
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job == null) {
            return new Result(0, 0, 0, false);
        }
        boolean mayStart = job.state() == JobStatus.IN_PROGRESS;
        if (kind == DueKind.RETRY && !mayStart) {
            return new Result(0, 0, 0, false);
        }
        Set<String> done = new HashSet<>();
        int timedOut = 0;
        int retried = 0;
        int resent = 0;
        while (EngineTuning.before(deadline)) {
            Instant now = clock.instant();
            List<String> names = rollout.due(jobId, kind, now, tuning.pageSize());
            boolean fresh = false;
            for (String name : names) {
                if (!done.add(name)) {
                    continue;
                }
                fresh = true;
                DeviceId device = new DeviceId(job.productId(), name);
                DeviceState state = devices.find(device).orElse(null);
                Execution exec = state == null ? null : state.execution();
                if (exec == null || !exec.jobId().equals(jobId)) {
                    continue;
                }
                Instant dueAt = exec.dueAt();
                if (dueAt != null && dueAt.isBefore(now)) {
                    // Scheduler lag: how long past its time this work waited to be taken.
                    metrics.schedulerLag(Duration.between(dueAt, now));
                }
                Decision decision = ExecutionStateMachine.onDue(exec, now, mayStart);
                if (decision instanceof Decision.Ignore && exec.status().inFlight()) {
                    // Heard of since the row was written (percent moves only the device item):
                    // the row's due time moves up to the execution's, so it is not read again before.
                    rollout.rearm(device, exec);
                    continue;
                }
                if (decision instanceof Decision.Transition t && devices.transition(device, t.before(), t.after())) {
                    boolean resend = t.sendUpdate() && !t.after().startsAttemptFrom(t.before());
                    if (resend && !mayResend(jobId)) {
                        continue;
                    }
                    if (resend) {
                        updates.resend(device, t.after());
                        resent++;
                    } else if (t.sendUpdate()) {
                        updates.send(device, t.after());
                        retried++;
                    } else {
                        timedOut++;
                    }
                    log.info(
                            "execution_due",
                            "jobId",
                            jobId,
                            "device",
                            device.key(),
                            "from",
                            t.before().status(),
                            "to",
                            t.after().status(),
                            "attempt",
                            t.after().attempt(),
                            "action",
                            resend ? "resend" : t.sendUpdate() ? "retry" : "timeout",
                            "resends",
                            t.after().resends());
                }
            }
            if (names.size() < tuning.pageSize() || !fresh) {
                return new Result(timedOut, retried, resent, false);
            }
        }
        return new Result(timedOut, retried, resent, true);
    }
}
