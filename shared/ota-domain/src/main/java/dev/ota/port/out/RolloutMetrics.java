package dev.ota.port.out;

import dev.ota.domain.ExecutionStatus;
import java.time.Duration;

/**
 * What an operator watches a rollout by, as counts (docs/operations.md, "Monitoring"). Few
 * dimensions on purpose: each distinct combination is a metric CloudWatch bills monthly.
 */
public interface RolloutMetrics {

    /** Why {@code update_firmware} went out. */
    enum UpdateKind {
        /** The first attempt of an execution. */
        FIRST,
        /** The same attempt again, because the device reported its old version while the update was in flight. */
        RESEND,
        /** A new attempt: a retry after a failure or a timeout, or an operator's retry. */
        RETRY
    }

    /** A device report was refused at the intake; {@code reason} is a short, fixed category. */
    void reportRejected(String type, String reason);

    void updateSent(UpdateKind kind);

    /**
     * An execution moved from one status to another (only after the conditional write succeeded):
     * the funnel (DOWNLOADING, BURNING), and finished executions by outcome and result code.
     */
    void executionChanged(ExecutionStatus from, ExecutionStatus to, int resultCode);

    void devicesReleased(int count);

    /** How long the oldest due work (a timeout, a retry) waited past its time when the worker took it. */
    void schedulerLag(Duration lag);

    /** A live job's progress: finished executions (any outcome) per hundred targets. */
    void jobProgress(String jobId, double percentDone);

    /** A job's own threshold paused or aborted it. */
    void jobStoppedByThreshold(String jobId);

    /** Records nothing: for tests and tools that do not watch. */
    RolloutMetrics NONE = new RolloutMetrics() {
        @Override
        public void reportRejected(String type, String reason) {}

        @Override
        public void updateSent(UpdateKind kind) {}

        @Override
        public void executionChanged(ExecutionStatus from, ExecutionStatus to, int resultCode) {}

        @Override
        public void devicesReleased(int count) {}

        @Override
        public void schedulerLag(Duration lag) {}

        @Override
        public void jobProgress(String jobId, double percentDone) {}

        @Override
        public void jobStoppedByThreshold(String jobId) {}
    };
}
