package dev.ota.app.jobs;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobRecord;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import dev.ota.port.in.JobOperations.DeviceView;
import dev.ota.port.in.JobOperations.JobStatistics;
import dev.ota.port.in.JobOperations.JobView;
import dev.ota.port.out.RolloutStore.RowView;

/** Maps stored jobs and executions to the operator contract's views. */
final class JobViews {

    private JobViews() {}

    static JobView job(JobRecord j, JobCounts counts) {
        JobDefinition d = j.definition();
        return new JobView(
                j.jobId(),
                j.productId(),
                j.targetVersion(),
                j.state(),
                d != null && d.dynamic(),
                d == null ? "" : d.description(),
                j.targetCount(),
                j.currentStage(),
                j.stagePlan().count(),
                counts == null ? null : counts.ordered(),
                j.stateReason(),
                j.createdAt(),
                d == null ? null : d.window().startAt(),
                d == null ? null : d.window().endAt(),
                d == null ? null : JobDefinitions.toRequest(d));
    }

    static JobStatistics statistics(JobRecord j, JobCounts c) {
        long failed = c.get(ExecutionStatus.FAILED) + c.get(ExecutionStatus.TIMED_OUT);
        long inProgress = c.get(ExecutionStatus.DELIVERED)
                + c.get(ExecutionStatus.DOWNLOADING)
                + c.get(ExecutionStatus.BURNING)
                + c.get(ExecutionStatus.RETRY_PENDING);
        return new JobStatistics(
                j.jobId(),
                j.targetCount(),
                c.ordered(),
                c.get(ExecutionStatus.SUCCEEDED),
                failed,
                inProgress,
                c.get(ExecutionStatus.QUEUED),
                c.retries());
    }

    /** @param device the device item, for the live percent of a download in progress (may be null) */
    static DeviceExecutionView row(RowView r, DeviceState device) {
        int percent = r.percent();
        if (device != null
                && device.execution() != null
                && device.execution().jobId().equals(r.jobId())
                && device.execution().status() == r.status()) {
            percent = Math.max(percent, device.execution().percent());
        }
        String msg = r.resultMsg();
        return new DeviceExecutionView(
                r.jobId(),
                r.deviceName(),
                r.status(),
                percent,
                r.resultCode(),
                msg,
                r.fromVersion(),
                r.targetVersion(),
                r.attempt(),
                r.updatedAt());
    }

    static DeviceView device(DeviceState s) {
        Execution e = s.liveExecution().orElse(null);
        DeviceExecutionView live = e == null
                ? null
                : new DeviceExecutionView(
                        e.jobId(),
                        s.device().deviceName(),
                        e.status(),
                        e.percent(),
                        e.resultCode(),
                        e.resultMsg(),
                        e.fromVersion(),
                        e.targetVersion(),
                        e.attempt(),
                        e.updatedAt());
        return new DeviceView(
                s.device().productId(), s.device().deviceName(), s.currentVersion(), s.lastSeenAt(), live);
    }
}
