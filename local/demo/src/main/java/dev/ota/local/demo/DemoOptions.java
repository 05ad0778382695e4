package dev.ota.local.demo;

import java.time.Duration;

/**
 * What the demo runs: a fleet of {@code devices} on {@code fromVersion}, updated to
 * {@code toVersion} in stages, with every random choice (firmware bytes, which device meets which
 * network fault, when) drawn from {@code seed}.
 *
 * @param canaryFraction share of the fleet in the first stage
 * @param maxAttempts    the jobs' retry policy: attempts per device, the first included
 * @param deadline       the whole rollout must end within this; a stage that does not is a failure
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
        Duration deadline) {

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
                Duration.ofSeconds(180));
    }

    public DemoOptions withDevices(int n) {
        return new DemoOptions(
                n, seed, productId, fromVersion, toVersion, firmwareSize, canaryFraction, maxAttempts, deadline);
    }

    public DemoOptions withSeed(long s) {
        return new DemoOptions(
                devices, s, productId, fromVersion, toVersion, firmwareSize, canaryFraction, maxAttempts, deadline);
    }

    public DemoOptions withProductId(String p) {
        return new DemoOptions(
                devices, seed, p, fromVersion, toVersion, firmwareSize, canaryFraction, maxAttempts, deadline);
    }
}
