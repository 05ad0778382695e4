package dev.ota.domain.rollout;

/** When a rollout group has failed badly enough to stop the job (hawkBit's error condition, "emergency shutdown"). */
public interface StageErrorCondition {

    StageErrorCondition NEVER = counts -> false;

    boolean met(StageCounts counts);
}
