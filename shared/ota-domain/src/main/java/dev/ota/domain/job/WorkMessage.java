package dev.ota.domain.job;

/**
 * One bounded piece of job work on the queue. Handlers are idempotent: a message delivered twice,
 * or overtaken by another, changes nothing twice (every move is conditional).
 *
 * <ul>
 *   <li>PLAN: judge the job (state, schedule, stage thresholds, rate) and send the work below;</li>
 *   <li>EXPAND: write the next batches of QUEUED rows, checkpointing on the job; continues itself;</li>
 *   <li>RELEASE: send update_firmware to the queued devices at positions fromSeq..toSeq, in group {@code stage};</li>
 *   <li>DUE: executions past their in-progress timeout ({@code kind} TIMEOUT) or whose retry interval
 *       passed (RETRY); continues itself;</li>
 *   <li>SWEEP: cancel queued executions ({@code scope} QUEUED) or queued and live ones (ALL); continues itself.</li>
 * </ul>
 */
public record WorkMessage(Kind kind, String jobId, Integer stage, Long fromSeq, Long toSeq, String scope) {

    public enum Kind {
        PLAN,
        EXPAND,
        RELEASE,
        DUE,
        SWEEP
    }

    public static WorkMessage plan(String jobId) {
        return new WorkMessage(Kind.PLAN, jobId, null, null, null, null);
    }

    public static WorkMessage expand(String jobId) {
        return new WorkMessage(Kind.EXPAND, jobId, null, null, null, null);
    }

    public static WorkMessage release(String jobId, int stage, long fromSeq, long toSeq) {
        return new WorkMessage(Kind.RELEASE, jobId, stage, fromSeq, toSeq, null);
    }

    public static WorkMessage due(String jobId, String kind) {
        return new WorkMessage(Kind.DUE, jobId, null, null, null, kind);
    }

    public static WorkMessage sweep(String jobId, String scope) {
        return new WorkMessage(Kind.SWEEP, jobId, null, null, null, scope);
    }
}
