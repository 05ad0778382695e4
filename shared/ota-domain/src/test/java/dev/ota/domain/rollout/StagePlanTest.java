package dev.ota.domain.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StagePlanTest {

    private static Stage count(int n) {
        return new Stage(n, null, 100, 0, 0, null);
    }

    private static Stage percent(int p) {
        return new Stage(null, p, 100, 0, 0, null);
    }

    private static final Stage REST = new Stage(null, null, 100, 0, 0, null);

    @Test
    void countsThenPercentagesThenTheRest() {
        StagePlan plan = StagePlan.of(List.of(count(5), percent(10), REST), 200);
        assertThat(plan.sizes()).containsExactly(5L, 20L, 175L);
        assertThat(plan.count()).isEqualTo(3);
        assertThat(plan.size(0)).isEqualTo(5);
        assertThat(plan.size(2))
                .as("the last group is unbounded: late devices join it")
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void percentagesRoundUpSoACanaryIsNeverEmpty() {
        assertThat(StagePlan.of(List.of(percent(1), REST), 50).sizes()).containsExactly(1L, 49L);
    }

    @Test
    void groupsNeverExceedTheTargets() {
        assertThat(StagePlan.of(List.of(count(10), count(10), REST), 12).sizes())
                .containsExactly(10L, 2L, 0L);
    }

    @Test
    void noStagesIsOneUnboundedGroup() {
        StagePlan plan = StagePlan.of(List.of(), 1000);
        assertThat(plan.count()).isEqualTo(1);
        assertThat(plan.isLast(0)).isTrue();
        assertThat(plan.stage(0)).isNull();
    }

    @Test
    void onlyTheLastGroupMayLeaveItsSizeOpen() {
        assertThatThrownBy(() -> StagePlan.of(List.of(REST, REST), 10))
                .hasMessageContaining("needs deviceCount or percent");
    }

    @Test
    void stageRejectsBadSettings() {
        assertThatThrownBy(() -> new Stage(1, 5, 100, 0, 0, null)).hasMessageContaining("not both");
        assertThatThrownBy(() -> new Stage(null, 101, 100, 0, 0, null)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> new Stage(1, null, 101, 0, 0, null)).hasMessageContaining("successThresholdPercent");
        assertThatThrownBy(() -> new Stage(1, null, 100, -1, 0, null)).hasMessageContaining("failureThresholdPercent");
        assertThat(new Stage(1, null, 100, 0, 0, null).onFailure()).isEqualTo(Stage.FailureAction.PAUSE);
    }
}
