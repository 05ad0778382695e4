package dev.ota.domain.rollout;

import java.time.Instant;

/**
 * When a job releases devices: from {@code startAt} (null = at once) until {@code endAt} (null =
 * no end). At the end the job stops releasing and cancels what is still queued; updates already
 * in flight run to their end.
 */
public record RolloutWindow(Instant startAt, Instant endAt) {

    public RolloutWindow {
        if (startAt != null && endAt != null && !endAt.isAfter(startAt)) {
            throw new IllegalArgumentException("endAt must be after startAt");
        }
    }

    public boolean started(Instant now) {
        return startAt == null || !now.isBefore(startAt);
    }

    public boolean ended(Instant now) {
        return endAt != null && !now.isBefore(endAt);
    }
}
