package dev.ota.domain.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StageEvaluatorTest {

    private static final Stage CANARY = new Stage(4, null, 75, 50, 2, Stage.FailureAction.PAUSE);
    private static final Stage ABORTING = new Stage(4, null, 75, 50, 2, Stage.FailureAction.ABORT);
    private static final Stage REST = new Stage(null, null, 100, 30, 10, Stage.FailureAction.PAUSE);

    private static StageCounts counts(long entered, long succeeded, long failed, long live) {
        return new StageCounts(entered, succeeded, failed, 0, 0, 0, live);
    }

    @Test
    void continuesWhileTheGroupRuns() {
        StagePlan plan = StagePlan.of(List.of(CANARY, REST), 100);
        assertThat(StageEvaluator.evaluate(plan, 0, counts(4, 1, 0, 3), true, false))
                .isInstanceOf(StageVerdict.Continue.class);
    }

    @Test
    void advancesAtTheSuccessThreshold() {
        StagePlan plan = StagePlan.of(List.of(CANARY, REST), 100);
        StageVerdict v = StageEvaluator.evaluate(plan, 0, counts(4, 3, 0, 1), true, false);
        assertThat(v).isInstanceOf(StageVerdict.Advance.class);
        assertThat(((StageVerdict.Advance) v).reason()).contains("stage 1 of 2").contains("3 of 4");
    }

    @Test
    void errorWinsOverSuccess() {
        StagePlan plan = StagePlan.of(List.of(new Stage(4, null, 0, 50, 2, null), REST), 100);
        assertThat(StageEvaluator.evaluate(plan, 0, counts(4, 1, 1, 2), true, false))
                .isInstanceOf(StageVerdict.Pause.class);
    }

    @Test
    void pausesOrAbortsAsTheGroupSays() {
        assertThat(StageEvaluator.evaluate(
                        StagePlan.of(List.of(CANARY, REST), 100), 0, counts(4, 0, 2, 2), true, false))
                .isInstanceOf(StageVerdict.Pause.class);
        assertThat(StageEvaluator.evaluate(
                        StagePlan.of(List.of(ABORTING, REST), 100), 0, counts(4, 0, 2, 2), true, false))
                .isInstanceOf(StageVerdict.Abort.class);
    }

    @Test
    void aGroupThatFinishedBelowItsSuccessThresholdPauses() {
        StagePlan plan = StagePlan.of(List.of(new Stage(4, null, 100, 0, 0, null), REST), 100);
        StageVerdict v = StageEvaluator.evaluate(plan, 0, counts(4, 3, 1, 0), true, false);
        assertThat(v).isInstanceOf(StageVerdict.Pause.class);
        assertThat(((StageVerdict.Pause) v).reason()).contains("below the success threshold");
    }

    @Test
    void afterAnOperatorResumesTheGroupsRulesGiveWay() {
        StagePlan plan = StagePlan.of(List.of(CANARY, REST), 100);
        assertThat(StageEvaluator.evaluate(plan, 0, counts(4, 0, 2, 2), true, true))
                .isInstanceOf(StageVerdict.Continue.class);
        assertThat(StageEvaluator.evaluate(plan, 0, counts(4, 1, 3, 0), true, true))
                .isInstanceOf(StageVerdict.Advance.class);
    }

    @Test
    void theLastGroupNeverAdvancesButStillStopsOnErrors() {
        StagePlan plan = StagePlan.of(List.of(CANARY, REST), 100);
        assertThat(StageEvaluator.evaluate(plan, 1, counts(96, 96, 0, 0), true, false))
                .isInstanceOf(StageVerdict.Continue.class);
        assertThat(StageEvaluator.evaluate(plan, 1, counts(96, 60, 36, 0), true, false))
                .isInstanceOf(StageVerdict.Pause.class);
    }

    @Test
    void jobWithoutStagesJustContinues() {
        assertThat(StageEvaluator.evaluate(StagePlan.of(List.of(), 10), 0, counts(10, 0, 10, 0), true, false))
                .isInstanceOf(StageVerdict.Continue.class);
    }
}
