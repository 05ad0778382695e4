package dev.ota.local.demo;

import java.time.Duration;

/**
 * What the demo runs: a fleet of {@code devices} on {@code fromVersion}, updated to
 * {@code toVersion} in stages, with every random choice (firmware bytes, which device meets which
 * network fault, when) drawn from {@code seed}.
 *
 * @param canaryFraction share of the fleet in the first stage
 * @param maxAttempts    the jobs' retry policy: attempts per device, the first included
 * @param deadline       the rollout (from the job's creation) must end within this; one that does not is a failure
 * @param ratePerMinute  the job's rollout rate (devices released a minute)
 */
public record DemoOptions(
        int devices,
        long seed,
        String productId,
        String fromVersion,
        String toVersion,
        int firmwareSize,
        double canaryFraction,
        int maxAttempts,
        Duration deadline,
        int ratePerMinute) {

    public static final int DEFAULT_DEVICES = 50;
    public static final long DEFAULT_SEED = 42;
    /** A canary, a second stage, and room for the broken device outside the canary. */
    public static final int MIN_DEVICES = 4;

    public DemoOptions {
        if (devices < MIN_DEVICES) {
            throw new IllegalArgumentException("the demo needs at least " + MIN_DEVICES + " devices");
        }
        if (canaryFraction <= 0 || canaryFraction >= 1) {
            throw new IllegalArgumentException("canaryFraction must be between 0 and 1");
        }
    }

    public static DemoOptions defaults() {
        return new DemoOptions(
                DEFAULT_DEVICES,
                DEFAULT_SEED,
                "DEMOPRODUCT",
                "1.0.0",
                "1.1.0",
                256 * 1024,
                0.10,
                3,
                deadlineFor(DEFAULT_DEVICES),
                rateFor(DEFAULT_DEVICES));
    }

    /** The fastest default rate: the demo's 50 devices are released within 5 s, a canary at once. */
    static final int MAX_RATE_PER_MINUTE = 600;

    /**
     * The slowest default rate, about what the local stack works through on a 2-core machine
     * (moto_server answers one request at a time: about 100 device updates a minute at 5,000 devices).
     * Releasing faster only queues the devices' reports in the rules router, which holds them in
     * memory, and a device whose reports wait re-reports its version, which adds to the queue.
     */
    static final int MIN_RATE_PER_MINUTE = 100;

    /**
     * The default rate for a fleet: the whole fleet released within a minute, but no faster than
     * {@link #MAX_RATE_PER_MINUTE} and no slower than {@link #MIN_RATE_PER_MINUTE} (200 devices:
     * 300 a minute; 1,000 or more: 100 a minute).
     */
    public static int rateFor(int devices) {
        return Math.max(MIN_RATE_PER_MINUTE, Math.min(MAX_RATE_PER_MINUTE, 60_000 / devices));
    }

    /**
     * The default deadline for a fleet: 3 minutes, plus 0.6 s a device (enrolment, downloads and retries
     * on a 2-core machine under load), plus the time {@link #rateFor} takes to release the fleet
     * (50 devices: 3.6 minutes; 5,000 devices: 103 minutes).
     */
    public static Duration deadlineFor(int devices) {
        long releaseMs = 60_000L * devices / rateFor(devices);
        return Duration.ofSeconds(180).plusMillis(600L * devices).plusMillis(releaseMs);
    }

    /** The same demo with {@code n} devices, and the deadline and rate that follow from it. */
    public DemoOptions withDevices(int n) {
        return new DemoOptions(
                n,
                seed,
                productId,
                fromVersion,
                toVersion,
                firmwareSize,
                canaryFraction,
                maxAttempts,
                deadlineFor(n),
                rateFor(n));
    }

    public DemoOptions withSeed(long s) {
        return new DemoOptions(
                devices,
                s,
                productId,
                fromVersion,
                toVersion,
                firmwareSize,
                canaryFraction,
                maxAttempts,
                deadline,
                ratePerMinute);
    }

    public DemoOptions withProductId(String p) {
        return new DemoOptions(
                devices,
                seed,
                p,
                fromVersion,
                toVersion,
                firmwareSize,
                canaryFraction,
                maxAttempts,
                deadline,
                ratePerMinute);
    }

    public DemoOptions withRatePerMinute(int rate) {
        return new DemoOptions(
                devices,
                seed,
                productId,
                fromVersion,
                toVersion,
                firmwareSize,
                canaryFraction,
                maxAttempts,
                deadline,
                rate);
    }

    public DemoOptions withDeadline(Duration d) {
        return new DemoOptions(
                devices,
                seed,
                productId,
                fromVersion,
                toVersion,
                firmwareSize,
                canaryFraction,
                maxAttempts,
                d,
                ratePerMinute);
    }
}
