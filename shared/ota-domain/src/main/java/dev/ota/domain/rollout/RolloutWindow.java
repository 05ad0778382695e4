package dev.ota.domain.rollout;

import java.time.Instant;

/**
 * When a job releases devices: from {@code startAt} (null = at once) until {@code endAt} (null =
 * no end). At the end the job stops releasing and cancels what is still queued; updates already
 * in flight run to their end.
 */
public record RolloutWindow(Instant startAt, Instant endAt) {

    /**
     * The times a window may name: stored as epoch milliseconds and shown as ISO-8601, so a year
     * outside 1970..9999 has no stored or shown form (+999999999-12-31T23:59:59Z overflowed a long).
     */
    public static final Instant EARLIEST = Instant.EPOCH;

    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    public RolloutWindow {
        inRange("startAt", startAt);
        inRange("endAt", endAt);
        if (startAt != null && endAt != null && !endAt.isAfter(startAt)) {
            throw new IllegalArgumentException("endAt must be after startAt");
        }
    }

    private static void inRange(String field, Instant at) {
        if (at != null && (at.isBefore(EARLIEST) || at.isAfter(LATEST))) {
            throw new IllegalArgumentException(
                    field + " must lie between " + EARLIEST + " and " + LATEST + ", not " + at);
        }
    }

    public boolean started(Instant now) {
        return startAt == null || !now.isBefore(startAt);
    }

    public boolean ended(Instant now) {
        return endAt != null && !now.isBefore(endAt);
    }
}
