package dev.ota.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.EventOrderProperties.Device;
import dev.ota.domain.EventOrderProperties.Outcome;
import dev.ota.domain.EventOrderProperties.Script;
import dev.ota.domain.EventOrderProperties.Setup;
import dev.ota.domain.EventOrderProperties.Step;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Counter-examples {@link EventOrderProperties} found, kept as fixed cases. */
class EventOrderRegressionTest {

    /** Delivers the script's steps (reports only) in the order of {@code indexes}. */
    private static Outcome deliveredInOrderOf(Script script, int... indexes) {
        Device d = new Device(script.setup());
        for (int i : indexes) {
            EventOrderProperties.deliver(d, script.steps().get(i).report());
        }
        return d.outcome();
    }

    @Test
    void aLateDeliveryStartBetweenTwoDownloadsKeepsTheDownloadAfterIt() {
        // Two cuts, each resumed. Delivered with the done early and the second delivery's start
        // late, its download once sat next to the first delivery's; keeping only the first download
        // between two events dropped it, and the second cut used the only attempt instead of resuming.
        Script script = new Script(
                new Setup(new RetryPolicy(1, Set.of(-1, -3, -4, -5), Duration.ZERO), null),
                List.of(
                        new Step("dl", 1, 0),
                        new Step("dl", 1, 2),
                        new Step("fail", 2, -5),
                        new Step("version", 3, 0),
                        new Step("dl", 4, 3),
                        new Step("fail", 5, -1),
                        new Step("version", 6, 0),
                        new Step("dl", 7, 0),
                        new Step("done", 8, 0)));
        Outcome inOrder = EventOrderProperties.inOrder(script).outcome();
        assertThat(inOrder.resumes()).isEqualTo(2);
        assertThat(inOrder.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(deliveredInOrderOf(script, 1, 8, 4, 5, 2, 0, 7, 3, 6)).isEqualTo(inOrder);
    }

    @Test
    void aQuietResendIsCountedForItsDeliveryWhateverTheReplayVisitedBefore() {
        // A quiet resend, then cuts delivered out of order: a replay that passed through a later
        // delivery lost the resend count of the first, where the final state ends.
        long q = Execution.QUIET_AFTER.toMillis();
        Script script = new Script(
                new Setup(new RetryPolicy(1, Set.of(-1, -3, -4), Duration.ZERO), null),
                List.of(
                        new Step("tick", q + 1, 0),
                        new Step("dl", q + 1, 6),
                        new Step("fail", q + 2, -5),
                        new Step("version", q + 3, 0),
                        new Step("dl", q + 4, 7),
                        new Step("fail", q + 5, -1),
                        new Step("version", q + 6, 0)));
        Outcome inOrder = EventOrderProperties.inOrder(script).outcome();
        assertThat(inOrder.resends()).isEqualTo(1);
        assertThat(inOrder.status()).isEqualTo(ExecutionStatus.FAILED);
        Device d = new Device(script.setup());
        EventOrderProperties.act(d, script.steps().get(0));
        for (int i : new int[] {1, 3, 4, 5, 6, 2}) {
            EventOrderProperties.deliver(d, script.steps().get(i).report());
        }
        assertThat(d.outcome()).isEqualTo(inOrder);
    }
}
