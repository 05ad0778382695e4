package dev.ota.domain.rollout;

/**
 * How many devices a job releases per minute, optionally ramping up: start at
 * {@code baseRatePerMinute} and multiply by {@code factor} each time {@code everySucceeded} more
 * devices succeeded, never above {@code maxRatePerMinute}. AWS IoT Jobs stops at 1,000 a minute;
 * this goes to {@value #MAX_PER_MINUTE}.
 *
 * @param baseRatePerMinute null for a constant rate (then factor and everySucceeded are null too)
 */
public record RolloutRate(int maxRatePerMinute, Integer baseRatePerMinute, Double factor, Integer everySucceeded) {

    public static final int MAX_PER_MINUTE = 100_000;
    public static final double MAX_FACTOR = 10.0;

    public RolloutRate {
        if (maxRatePerMinute < 1 || maxRatePerMinute > MAX_PER_MINUTE) {
            throw new IllegalArgumentException("ratePerMinute must be 1.." + MAX_PER_MINUTE);
        }
        boolean ramp = baseRatePerMinute != null || factor != null || everySucceeded != null;
        if (ramp) {
            if (baseRatePerMinute == null || factor == null || everySucceeded == null) {
                throw new IllegalArgumentException(
                        "a ramp needs rampBaseRatePerMinute, rampFactor and rampEveryDevices together");
            }
            if (baseRatePerMinute < 1 || baseRatePerMinute > maxRatePerMinute) {
                throw new IllegalArgumentException("rampBaseRatePerMinute must be 1..ratePerMinute");
            }
            if (!(factor > 1.0) || factor > MAX_FACTOR) {
                throw new IllegalArgumentException("rampFactor must be above 1 and at most " + MAX_FACTOR);
            }
            if (everySucceeded < 1) {
                throw new IllegalArgumentException("rampEveryDevices must be at least 1");
            }
        }
    }

    public static RolloutRate constant(int perMinute) {
        return new RolloutRate(perMinute, null, null, null);
    }

    public boolean ramps() {
        return baseRatePerMinute != null;
    }

    /** The rate now that {@code succeeded} devices of the job succeeded. */
    public int perMinute(long succeeded) {
        if (!ramps()) {
            return maxRatePerMinute;
        }
        long steps = Math.max(0, succeeded) / everySucceeded;
        double rate = baseRatePerMinute * Math.pow(factor, Math.min(steps, 1_000));
        return rate >= maxRatePerMinute ? maxRatePerMinute : (int) Math.floor(rate);
    }
}
