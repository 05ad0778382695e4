package dev.ota.domain;

import java.time.Duration;
import java.util.Set;

/**
 * How often a device may try one update. A device whose failure is permanent stops once its
 * attempts are used up: the C SDK re-reports its version 2 s after every failure, and an
 * uncapped cloud would answer each one with the update again, forever.
 *
 * @param maxAttempts attempts in all, the first included
 * @param retryableCodes result codes worth another attempt; -2 (file missing) is not by default
 * @param retryInterval the earliest a new attempt starts after a failure
 */
public record RetryPolicy(int maxAttempts, Set<Integer> retryableCodes, Duration retryInterval) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Set.of(-1, -3, -4, -5), Duration.ZERO);
    public static final int MAX_ATTEMPTS_LIMIT = 11;

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts must be 1.." + MAX_ATTEMPTS_LIMIT);
        }
        retryableCodes = Set.copyOf(retryableCodes);
        if (retryInterval.isNegative()) {
            throw new IllegalArgumentException("retryInterval must not be negative");
        }
    }

    public boolean allowsAnotherAttempt(int attemptsMade, int resultCode) {
        return attemptsMade < maxAttempts && retryableCodes.contains(resultCode);
    }

    /**
     * An attempt that hit the in-progress timeout is retried while attempts remain, whatever the
     * result codes (AWS IoT Jobs retries TIMED_OUT the same way): a device that went silent has
     * reported no code to judge by.
     */
    public boolean allowsRetryAfterTimeout(int attemptsMade) {
        return attemptsMade < maxAttempts;
    }
}
