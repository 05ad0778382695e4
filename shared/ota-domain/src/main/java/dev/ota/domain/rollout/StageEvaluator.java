package dev.ota.domain.rollout;

/**
 * Judges the current rollout group, in hawkBit's order: the error condition first (it stops the job
 * whatever else holds), then the success condition (it starts the next group). A group that
 * finished every device below its success threshold pauses the job rather than stall unseen.
 *
 * <p>After an operator resumes a job that one of these rules paused, that group's rules give way:
 * its error condition is no longer applied, and once it has no device left in flight the next
 * group starts. The operator has seen the results and chosen to go on.
 */
public final class StageEvaluator {

    private StageEvaluator() {}

    /**
     * @param fullyReleased every device of the group was released, or the queue has none left for it
     * @param resumedByOperator an operator resumed the job after a pause in this group
     */
    public static StageVerdict evaluate(
            StagePlan plan, int current, StageCounts counts, boolean fullyReleased, boolean resumedByOperator) {
        Stage stage = plan.stage(current);
        if (stage == null) {
            return new StageVerdict.Continue();
        }
        String label = "stage " + (current + 1) + " of " + plan.count();
        if (!resumedByOperator && stage.errorCondition().met(counts)) {
            String reason = label + ": " + counts.failures() + " of " + counts.finished()
                    + " finished devices failed, at or above " + stage.failureThresholdPercent() + "%";
            return stage.onFailure() == Stage.FailureAction.ABORT
                    ? new StageVerdict.Abort(reason)
                    : new StageVerdict.Pause(reason);
        }
        if (plan.isLast(current)) {
            return new StageVerdict.Continue();
        }
        if (stage.successCondition().met(counts, fullyReleased)) {
            return new StageVerdict.Advance(label + ": " + counts.succeeded() + " of " + counts.eligible()
                    + " succeeded, at or above " + stage.successThresholdPercent() + "%");
        }
        if (fullyReleased && counts.live() == 0) {
            if (resumedByOperator) {
                return new StageVerdict.Advance(label + ": finished with " + counts.succeeded() + " of "
                        + counts.eligible() + " succeeded; resumed by an operator");
            }
            return new StageVerdict.Pause(label + " finished with " + counts.succeeded() + " of " + counts.eligible()
                    + " succeeded, below the success threshold of " + stage.successThresholdPercent() + "%");
        }
        return new StageVerdict.Continue();
    }
}
