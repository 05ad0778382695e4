package dev.ota.domain.rollout;

/**
 * The group is fully released and at least {@code percent}% of its eligible devices (released,
 * neither skipped nor canceled) succeeded. A group with no eligible device passes: there was
 * nothing to update.
 */
public record ThresholdSuccessCondition(int percent) implements StageSuccessCondition {

    @Override
    public boolean met(StageCounts counts, boolean fullyReleased) {
        if (!fullyReleased) {
            return false;
        }
        long eligible = counts.eligible();
        return eligible <= 0 || counts.succeeded() * 100 >= (long) percent * eligible;
    }
}
