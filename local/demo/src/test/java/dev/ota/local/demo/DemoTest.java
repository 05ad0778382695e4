package dev.ota.local.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoTest {

    @Test
    void theInProgressTimeoutIsFiveMinutesOrTheDeadlineOfABigFleet() {
        assertThat(Demo.inProgressTimeout(DemoOptions.defaults().withDevices(50)))
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(Demo.inProgressTimeout(DemoOptions.defaults().withDevices(5000)))
                .isEqualTo(DemoOptions.deadlineFor(5000))
                .isGreaterThan(Duration.ofMinutes(50));
    }

    @Test
    void theRateReleasesASmallFleetWithinAMinuteAndABigOneAtWhatTheLocalStackWorksThrough() {
        assertThat(DemoOptions.rateFor(50)).isEqualTo(600);
        assertThat(DemoOptions.rateFor(200)).isEqualTo(300);
        assertThat(DemoOptions.rateFor(1000)).isEqualTo(100);
        assertThat(DemoOptions.rateFor(5000)).isEqualTo(100);
        assertThat(DemoOptions.defaults().withDevices(5000).ratePerMinute()).isEqualTo(100);
    }

    @Test
    void theDeadlineLeavesTimeToReleaseTheWholeFleetAtItsRate() {
        assertThat(DemoOptions.deadlineFor(50)).isEqualTo(Duration.ofSeconds(215));
        // 5,000 devices at 100 a minute: 50 minutes of release alone.
        assertThat(DemoOptions.deadlineFor(5000)).isEqualTo(Duration.ofSeconds(180 + 3000 + 3000));
    }
}
