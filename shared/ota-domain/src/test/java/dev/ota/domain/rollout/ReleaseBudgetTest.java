package dev.ota.domain.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReleaseBudgetTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void freshBucketHoldsOneMinute() {
        assertThat(ReleaseBudget.full(10, T0).available()).isEqualTo(10);
    }

    @Test
    void refillsAtTheRateAndCarriesFractions() {
        ReleaseBudget b = ReleaseBudget.full(10, T0).spend(10);
        assertThat(b.refill(T0.plusSeconds(30), 10).available()).isEqualTo(5);
        ReleaseBudget afterTwenty = b.refill(T0.plusSeconds(20), 10);
        assertThat(afterTwenty.available()).isEqualTo(3);
        ReleaseBudget spent = afterTwenty.spend(3);
        assertThat(spent.refill(T0.plusSeconds(26), 10).available())
                .as("1/3 carried + 1 for 6 s")
                .isEqualTo(1);
    }

    @Test
    void aLateOrRepeatedTickNeverExceedsOneMinutesWorth() {
        ReleaseBudget b = ReleaseBudget.full(10, T0).spend(10);
        assertThat(b.refill(T0.plus(Duration.ofHours(5)), 10).available()).isEqualTo(10);
        ReleaseBudget same = b.refill(T0, 10).refill(T0, 10);
        assertThat(same.available()).isZero();
    }

    @Test
    void ticksASecondEarlyOrLateStillReleaseTheRate() {
        ReleaseBudget b = ReleaseBudget.full(600, T0).spend(600);
        ReleaseBudget early = b.refill(T0.plusSeconds(59), 600);
        assertThat(early.available()).isEqualTo(590);
        ReleaseBudget next = early.spend(590).refill(T0.plusSeconds(120), 600);
        assertThat(next.available()).isEqualTo(600);
    }

    @Test
    void rateChangeCapsTheBucketToTheNewRate() {
        ReleaseBudget b = ReleaseBudget.full(100, T0);
        assertThat(b.refill(T0, 20).available()).isEqualTo(20);
    }

    @Test
    void cannotSpendWhatIsNotThere() {
        assertThatThrownBy(() -> ReleaseBudget.full(5, T0).spend(6)).isInstanceOf(IllegalArgumentException.class);
    }
}
