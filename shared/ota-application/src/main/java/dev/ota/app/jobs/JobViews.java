package dev.ota.app.jobs;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.StageCounts;
import dev.ota.domain.rollout.StageEvaluator;
import dev.ota.domain.rollout.StagePlan;
import dev.ota.domain.rollout.StageVerdict;
import dev.ota.port.in.JobOperations.DeviceExecutionView;
import dev.ota.port.in.JobOperations.DeviceView;
import dev.ota.port.in.JobOperations.JobHealth;
import dev.ota.port.in.JobOperations.JobStatistics;
import dev.ota.port.in.JobOperations.JobView;
import dev.ota.port.in.JobOperations.StageHealth;
import dev.ota.port.in.JobOperations.StagePhase;
import dev.ota.port.out.RolloutStore.RowView;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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
                d == null ? null : JobDefinitions.toRequest(d),
                j.actors(),
                j.events());
    }

    /**
     * Each group's counts and, for the current one, what {@link StageEvaluator} says of it now (as
     * the scheduler judges it: fully released once every device of the group entered it or nothing
     * is queued). A job without groups is one group of all its targets.
     */
    static JobHealth health(
            JobRecord j, JobCounts c, Map<Integer, Long> failuresByCode, long failuresRead, boolean complete) {
        StagePlan plan = j.stagePlan();
        List<StageHealth> stages = new ArrayList<>();
        int groups = plan.count();
        long sizedBefore = 0;
        for (int i = 0; i < groups; i++) {
            Stage stage = plan.stage(i);
            StageCounts sc = c.stage(i);
            StagePhase phase = i < j.currentStage()
                    ? StagePhase.DONE
                    : i == j.currentStage() ? StagePhase.CURRENT : StagePhase.PENDING;
            String verdict = null;
            String reason = null;
            if (phase == StagePhase.CURRENT && !j.state().ended()) {
                // As the scheduler judges it (JobEngine): the last group is unbounded.
                boolean fullyReleased = sc.entered() >= plan.size(i) || c.get(ExecutionStatus.QUEUED) == 0;
                StageVerdict v = StageEvaluator.evaluate(plan, i, sc, fullyReleased, j.resumedStage() == i);
                if (v instanceof StageVerdict.Advance a) {
                    verdict = "ADVANCE";
                    reason = a.reason();
                } else if (v instanceof StageVerdict.Pause p) {
                    verdict = "PAUSE";
                    reason = p.reason();
                } else if (v instanceof StageVerdict.Abort a) {
                    verdict = "ABORT";
                    reason = a.reason();
                } else {
                    verdict = "CONTINUE";
                }
            }
            Map<ExecutionStatus, Long> byStatus = new EnumMap<>(ExecutionStatus.class);
            c.byStage().getOrDefault(i, Map.of()).forEach((s, n) -> {
                if (n != 0) {
                    byStatus.put(s, n);
                }
            });
            // The last group takes the rest of the targets (devices a dynamic job gains join it).
            long size = plan.isLast(i) ? Math.max(0, j.targetCount() - sizedBefore) : plan.size(i);
            sizedBefore += size;
            stages.add(new StageHealth(
                    i + 1,
                    size,
                    phase,
                    byStatus,
                    sc.entered(),
                    sc.succeeded(),
                    sc.failed(),
                    sc.timedOut(),
                    sc.live(),
                    sc.eligible() == 0 ? 0 : 100.0 * sc.succeeded() / sc.eligible(),
                    sc.finished() == 0 ? 0 : 100.0 * sc.failures() / sc.finished(),
                    stage == null ? 0 : stage.successThresholdPercent(),
                    stage == null ? 0 : stage.failureThresholdPercent(),
                    stage == null ? 0 : stage.minDevicesForFailure(),
                    verdict,
                    reason));
        }
        return new JobHealth(
                j.jobId(),
                j.state(),
                j.stateReason(),
                j.currentStage() + 1,
                stages,
                c.get(ExecutionStatus.FAILED),
                c.get(ExecutionStatus.TIMED_OUT),
                failuresByCode,
                failuresRead,
                complete,
                c.retries(),
                j.actors());
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

    /**
     * One device's line of the list. In flight, the row says DELIVERED from the attempt's start to its
     * end ({@link ExecutionStatus#recorded}); the device item says where the attempt stands now.
     *
     * @param device the device item, for the live status and percent of an attempt in flight (may be null)
     */
    static DeviceExecutionView row(RowView r, DeviceState device) {
        Execution live = device == null ? null : device.execution();
        boolean sameAttempt = live != null
                && r.status().inFlight()
                && live.status().inFlight()
                && live.jobId().equals(r.jobId())
                && live.attempt() == r.attempt();
        return new DeviceExecutionView(
                r.jobId(),
                r.deviceName(),
                sameAttempt ? live.status() : r.status(),
                sameAttempt ? Math.max(r.percent(), live.percent()) : r.percent(),
                r.resultCode(),
                r.resultMsg(),
                r.fromVersion(),
                r.targetVersion(),
                r.attempt(),
                sameAttempt && live.updatedAt().isAfter(r.updatedAt()) ? live.updatedAt() : r.updatedAt());
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
