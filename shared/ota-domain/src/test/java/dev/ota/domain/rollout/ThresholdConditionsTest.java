package dev.ota.domain.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** hawkBit-style group conditions: success starts the next group, error stops the job. */
class ThresholdConditionsTest {

    /** entered, succeeded, failed, timedOut, skipped, canceled, live */
    private static StageCounts counts(
            long entered, long succeeded, long failed, long timedOut, long skipped, long canceled, long live) {
        return new StageCounts(entered, succeeded, failed, timedOut, skipped, canceled, live);
    }

    @Test
    void successNeedsTheWholeGroupReleased() {
        ThresholdSuccessCondition c = new ThresholdSuccessCondition(80);
        assertThat(c.met(counts(10, 10, 0, 0, 0, 0, 0), false)).isFalse();
        assertThat(c.met(counts(10, 8, 0, 0, 0, 0, 2), true)).isTrue();
        assertThat(c.met(counts(10, 7, 0, 0, 0, 0, 3), true)).isFalse();
    }

    @Test
    void skippedAndCanceledDevicesAreNotJudged() {
        ThresholdSuccessCondition c = new ThresholdSuccessCondition(100);
        assertThat(c.met(counts(10, 6, 0, 0, 3, 1, 0), true)).isTrue();
        assertThat(c.met(counts(4, 0, 0, 0, 4, 0, 0), true))
                .as("nothing to update passes")
                .isTrue();
    }

    @Test
    void zeroPercentSuccessAdvancesOnceReleased() {
        assertThat(new ThresholdSuccessCondition(0).met(counts(5, 0, 0, 0, 0, 0, 5), true))
                .isTrue();
    }

    @Test
    void errorCountsFailedAndTimedOutAmongFinishedDevices() {
        ThresholdErrorCondition c = new ThresholdErrorCondition(50, 4);
        assertThat(c.met(counts(10, 1, 2, 0, 0, 0, 7))).as("3 finished < min 4").isFalse();
        assertThat(c.met(counts(10, 2, 1, 1, 0, 0, 6))).as("2 of 4").isTrue();
        assertThat(c.met(counts(10, 3, 1, 0, 0, 0, 6))).as("1 of 4").isFalse();
    }

    @Test
    void errorNeedsAtLeastOneFinishedDevice() {
        assertThat(new ThresholdErrorCondition(1, 0).met(counts(3, 0, 0, 0, 0, 0, 3)))
                .isFalse();
        assertThat(new ThresholdErrorCondition(1, 0).met(counts(3, 0, 1, 0, 0, 0, 2)))
                .isTrue();
    }

    @Test
    void zeroFailureThresholdNeverStops() {
        Stage stage = new Stage(5, null, 100, 0, 0, null);
        assertThat(stage.errorCondition().met(counts(5, 0, 5, 0, 0, 0, 0))).isFalse();
    }
}
