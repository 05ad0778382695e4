package dev.ota.domain.rollout;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket that paces releases: it refills at the job's rate and holds at most one minute's
 * worth, so a late or repeated scheduler tick can never release more than the rate allows, and an
 * idle job does not save up a burst. A fresh bucket is full: the first minute starts at once.
 *
 * @param tokens devices that may be released now (fractions carry over between ticks)
 * @param refilledAt when the bucket was last refilled
 */
public record ReleaseBudget(double tokens, Instant refilledAt) {

    private static final double EPSILON = 1e-9;

    public static ReleaseBudget full(int ratePerMinute, Instant now) {
        return new ReleaseBudget(ratePerMinute, now);
    }

    public ReleaseBudget refill(Instant now, int ratePerMinute) {
        if (!now.isAfter(refilledAt)) {
            return new ReleaseBudget(Math.min(tokens, ratePerMinute), refilledAt);
        }
        double elapsedMinutes = Duration.between(refilledAt, now).toNanos() / 60e9;
        return new ReleaseBudget(Math.min(ratePerMinute, tokens + ratePerMinute * elapsedMinutes), now);
    }

    /** Whole devices that may go now. */
    public int available() {
        return (int) Math.floor(tokens + EPSILON);
    }

    public ReleaseBudget spend(int devices) {
        if (devices < 0 || devices > available()) {
            throw new IllegalArgumentException("cannot spend " + devices + " of " + available());
        }
        return new ReleaseBudget(Math.max(0, tokens - devices), refilledAt);
    }
}
