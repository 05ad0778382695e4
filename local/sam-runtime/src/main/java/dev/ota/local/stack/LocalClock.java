package dev.ota.local.stack;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local stack's one clock: real time plus an offset that tests move forward. The functions
 * take it as their {@link Clock}, and the rules router stamps {@code timestamp()} with it, so the
 * broker's receive times and the scheduler's "now" agree. It never goes backwards.
 */
public final class LocalClock extends Clock {

    private final AtomicLong offsetMillis = new AtomicLong();

    /** Moves time forward by {@code by}: timeouts fall due, retry intervals pass, token buckets refill. */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward");
        }
        offsetMillis.addAndGet(by.toMillis());
    }

    public Duration offset() {
        return Duration.ofMillis(offsetMillis.get());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the local clock is UTC");
    }
}
