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
}
