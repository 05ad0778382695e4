package dev.ota.domain;

import java.time.Duration;
import java.time.Instant;
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

    /**
     * Resumes an execution may have: network failures (-1, -5) after progress, which do not use up
     * an attempt. A separate, larger budget, so that a device on a flaky network that resumes where
     * it stopped is not failed after a few cuts, while one that is cut at the same place forever
     * still stops (its later cuts use attempts).
     */
    public static final int MAX_RESUMES = 10;

    /** Codes a device reports for a network failure: the C SDK reports every cut and stall as -5. */
    public static final Set<Integer> NETWORK_CODES = Set.of(-1, -5);

    /**
     * The C SDK reports an HTTP 403 as -3 and, 1 ms later, -5 for the same attempt. The attempt after
     * a -3 starts no earlier than this after it (broker time), so that trailing -5 always predates
     * the next attempt and is ignored as a report of an earlier one.
     */
    public static final Duration FORBIDDEN_SETTLE = Duration.ofSeconds(1);

    /**
     * The scheduler starts a pending retry this long after it may start; until then only the
     * device's own version report does. A device re-reports its version about 2 s after a failure
     * (facts.md §1), and update_firmware that the scheduler sends sooner can land while the SDK is
     * still handling the failure, which drops it (the Python SDK re-initialises its OTA handle then):
     * the device's next version report would then fall inside the resend cooldown and get no
     * update, leaving it to the quiet resend 5 minutes later. A device that never re-reports (the
     * Java SDK after some errors) gets its retry from the scheduler after this.
     */
    public static final Duration DEVICE_FIRST = Duration.ofSeconds(10);

    /** The code of an HTTP 403 (expired or invalid URL). */
    public static final int FORBIDDEN = -3;

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
     * A failure that is resumed within its attempt instead of using it up: a network code worth
     * retrying, reported while downloading with progress (the last reported percent above 0, which
     * a device resuming from a saved offset reports at once, and below 100: a finished download has
     * nothing to resume), with resumes left.
     */
    public boolean allowsResume(int resumesSoFar, int resultCode, int percent) {
        return NETWORK_CODES.contains(resultCode)
                && retryableCodes.contains(resultCode)
                && percent > 0
                && percent < 100
                && resumesSoFar < MAX_RESUMES;
    }

    /** When the attempt after a failure with {@code resultCode} at {@code failedAt} may start. */
    public Instant retryNotBefore(int resultCode, Instant failedAt) {
        Duration wait = resultCode == FORBIDDEN && retryInterval.compareTo(FORBIDDEN_SETTLE) < 0
                ? FORBIDDEN_SETTLE
                : retryInterval;
        return failedAt.plus(wait);
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
