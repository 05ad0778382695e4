package dev.ota.domain.rollout;

/** When a rollout group counts as done well enough for the next group to start (hawkBit's success condition). */
public interface StageSuccessCondition {

    /**
     * @param fullyReleased every device of the group was released (or no queued device is left for it)
     */
    boolean met(StageCounts counts, boolean fullyReleased);
}
