package dev.ota.domain.rollout;

/** What the rollout does about its current group. */
public sealed interface StageVerdict {

    /** Keep releasing the current group. */
    record Continue() implements StageVerdict {}

    /** The group met its success threshold: the next group starts. */
    record Advance(String reason) implements StageVerdict {}

    /** The job stops releasing until an operator resumes it. */
    record Pause(String reason) implements StageVerdict {}

    /** The job ends: queued and live executions are canceled. */
    record Abort(String reason) implements StageVerdict {}
}
