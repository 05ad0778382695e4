package dev.ota.domain.rollout;

/**
 * At least {@code minFinished} devices of the group finished (succeeded, failed or timed out) and
 * at least {@code percent}% of those failed or timed out: the shape of AWS IoT Jobs' abort
 * criteria, applied per group like hawkBit's error threshold.
 */
public record ThresholdErrorCondition(int percent, int minFinished) implements StageErrorCondition {

    public ThresholdErrorCondition {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("failure threshold must be 1..100 percent");
        }
    }

    @Override
    public boolean met(StageCounts counts) {
        long finished = counts.finished();
        return finished > 0 && finished >= minFinished && counts.failures() * 100 >= (long) percent * finished;
    }
}
