package dev.ota.domain.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RolloutWindowTest {

    private static final Instant T = Instant.parse("2026-06-01T10:00:00Z");

    @Test
    void opensAtStartAndEndsAtEnd() {
        RolloutWindow w = new RolloutWindow(T, T.plusSeconds(3600));
        assertThat(w.started(T.minusMillis(1))).isFalse();
        assertThat(w.started(T)).isTrue();
        assertThat(w.ended(T.plusSeconds(3599))).isFalse();
        assertThat(w.ended(T.plusSeconds(3600))).isTrue();
    }

    @Test
    void openEnded() {
        RolloutWindow w = new RolloutWindow(null, null);
        assertThat(w.started(T)).isTrue();
        assertThat(w.ended(T.plusSeconds(1_000_000))).isFalse();
    }

    @Test
    void endMustFollowStart() {
        assertThatThrownBy(() -> new RolloutWindow(T, T)).hasMessageContaining("after");
    }
}
