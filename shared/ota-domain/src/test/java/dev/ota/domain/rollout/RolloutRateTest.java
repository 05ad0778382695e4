package dev.ota.domain.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RolloutRateTest {

    @Test
    void constantRateIsTheRate() {
        RolloutRate rate = RolloutRate.constant(10_000);
        assertThat(rate.perMinute(0)).isEqualTo(10_000);
        assertThat(rate.perMinute(1_000_000)).isEqualTo(10_000);
    }

    @Test
    void rangeGoesWellPastAwsIotJobs() {
        assertThat(RolloutRate.constant(1).perMinute(0)).isEqualTo(1);
        assertThat(RolloutRate.constant(100_000).perMinute(0)).isEqualTo(100_000);
        assertThatThrownBy(() -> RolloutRate.constant(0)).hasMessageContaining("1..100000");
        assertThatThrownBy(() -> RolloutRate.constant(100_001)).hasMessageContaining("1..100000");
    }

    @Test
    void exponentialRampMultipliesPerStepOfSuccessesUpToTheMax() {
        RolloutRate ramp = new RolloutRate(1000, 10, 2.0, 50);
        assertThat(ramp.perMinute(0)).isEqualTo(10);
        assertThat(ramp.perMinute(49)).isEqualTo(10);
        assertThat(ramp.perMinute(50)).isEqualTo(20);
        assertThat(ramp.perMinute(150)).isEqualTo(80);
        assertThat(ramp.perMinute(350)).isEqualTo(1000);
        assertThat(ramp.perMinute(Long.MAX_VALUE)).isEqualTo(1000);
    }

    @Test
    void rampNeedsAllThreeSettingsAndSaneValues() {
        assertThatThrownBy(() -> new RolloutRate(100, 10, null, 5)).hasMessageContaining("together");
        assertThatThrownBy(() -> new RolloutRate(100, 200, 2.0, 5)).hasMessageContaining("rampBaseRatePerMinute");
        assertThatThrownBy(() -> new RolloutRate(100, 10, 1.0, 5)).hasMessageContaining("rampFactor");
        assertThatThrownBy(() -> new RolloutRate(100, 10, 2.0, 0)).hasMessageContaining("rampEveryDevices");
    }
}
