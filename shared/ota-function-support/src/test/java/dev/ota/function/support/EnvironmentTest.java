package dev.ota.function.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

    private final Environment env = Environment.of(Map.of("NAME", "x", "BLANK", "  ", "COUNT", " 12 ", "WRONG", "1.5"));

    @Test
    void blankIsUnset() {
        assertThat(env.optional("BLANK")).isNull();
        assertThat(env.text("BLANK", "fallback")).isEqualTo("fallback");
        assertThat(env.text("NAME", "fallback")).isEqualTo("x");
    }

    @Test
    void numbersAreWholeAndTrimmed() {
        assertThat(env.number("COUNT", 1)).isEqualTo(12);
        assertThat(env.number("MISSING", 7)).isEqualTo(7);
        assertThat(env.seconds("COUNT", Duration.ZERO)).isEqualTo(Duration.ofSeconds(12));
        assertThatThrownBy(() -> env.number("WRONG", 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("environment variable WRONG is not a whole number: 1.5");
    }

    @Test
    void aMissingRequiredValueIsNamed() {
        assertThatThrownBy(() -> env.required("BLANK"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("environment variable BLANK is not set");
    }
}
