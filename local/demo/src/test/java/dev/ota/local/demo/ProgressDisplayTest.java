package dev.ota.local.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {

    private static final ProgressDisplay.Snapshot TEN_THOUSAND = new ProgressDisplay.Snapshot(
            10_000,
            1_234,
            Map.of(
                    "DELIVERED", 3_174,
                    "RETRY_PENDING", 44,
                    "SUCCEEDED", 5_547,
                    "FAILED", 1),
            "stage 2/2 rest, job IN_PROGRESS");

    private final ProgressDisplay display = new ProgressDisplay(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, () -> null);

    @Test
    void tenThousandDevicesReadWithThousandsSeparatorsAndEveryState() {
        String line = display.render(TEN_THOUSAND);
        assertThat(line)
                .startsWith("[###########.........]  55% 5,548/10,000 | stage 2/2 rest, job IN_PROGRESS")
                .contains("not started 1,234", "updating 3,174", "succeeded 5,547", "failed 1")
                .endsWith(" s");
    }

    @Test
    void theCompactLineKeepsTheCountsAndTheTimeWithinAnEightyColumnTerminal() {
        String line = display.render(TEN_THOUSAND, true);
        assertThat(line)
                .startsWith(" 55% 5,548/10,000 |")
                .contains("queued 1,234", "upda 3,174", "succ 5,547", "fail 1")
                .endsWith(" s");
        assertThat(line.length()).isLessThan(display.render(TEN_THOUSAND).length());
    }
}
