package dev.ota.domain.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThingNameTest {

    private static final String NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@-";
    private static final java.util.regex.Pattern THING = java.util.regex.Pattern.compile("[a-zA-Z0-9:_-]{1,128}");

    @ParameterizedTest
    @CsvSource({
        "DEMOPRODUCT, device-001, DEMOPRODUCT::device-001",
        "P1, sensor_7, P1::sensor_7",
        "P1, a.b@c:d, P1::a:db:ac:cd",
        "p:x, d, p:cx::d",
        "p, :d, p:::cd",
    })
    void readableFormEscapesOnlyWhatThingNamesCannotHold(String product, String device, String thing) {
        ThingName name = ThingName.of(product, device);

        assertThat(name.value()).isEqualTo(thing);
        assertThat(name.hashed()).isFalse();
        assertThat(name.decode()).isEqualTo(new DeviceId(product, device));
    }

    @Test
    void theSplitThatConcatenationCannotTellApartStaysApart() {
        // Tencent's client id productId + deviceName is "ABC" for both.
        assertThat(ThingName.of("AB", "C")).isNotEqualTo(ThingName.of("A", "BC"));
    }

    @Test
    void longestNamesGetAValidHashedThingName() {
        String product = "p".repeat(64);
        String device = ".".repeat(128);

        ThingName name = ThingName.of(product, device);

        assertThat(name.value()).matches(THING).startsWith(":h").hasSize(128);
        assertThat(name.hashed()).isTrue();
        assertThat(ThingName.of(product, ".".repeat(127) + "@")).isNotEqualTo(name);
        assertThatThrownBy(name::decode).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReadableFormIsUsedUpTo128Characters() {
        String device = "d".repeat(128 - 2 - 3);

        assertThat(ThingName.of("abc", device).value()).hasSize(128).doesNotStartWith(":h");
        assertThat(ThingName.of("abcd", device).hashed()).isTrue();
    }

    @Test
    void everyNameTheProtocolAllowsMapsToAValidThingNameAndNoTwoCollide() {
        Random random = new Random(8);
        Map<String, DeviceId> seen = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            // Short names from a small alphabet, so that near-misses (same characters, another split) are frequent.
            boolean small = i % 2 == 0;
            String product = randomName(random, small ? 1 + random.nextInt(4) : 1 + random.nextInt(64), small);
            String device = randomName(random, small ? 1 + random.nextInt(4) : 1 + random.nextInt(128), small);
            DeviceId id = new DeviceId(product, device);
            ThingName name = ThingName.of(id);
            assertThat(name.value()).as(id.key()).matches(THING);
            if (!name.hashed()) {
                assertThat(name.decode()).isEqualTo(id);
            }
            DeviceId before = seen.putIfAbsent(name.value(), id);
            assertThat(before == null || before.equals(id))
                    .as(id + " and " + before + " share " + name)
                    .isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource({"p", "p:", "p:x", "p::d::e", ":hp::d", "p::d:"})
    void namesNoDeviceMapsToDoNotDecode(String thing) {
        assertThatThrownBy(() -> new ThingName(thing).decode()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesWhatIsNotAThingName() {
        assertThatThrownBy(() -> new ThingName("a.b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ThingName("x".repeat(129))).isInstanceOf(IllegalArgumentException.class);
    }

    private static String randomName(Random random, int length, boolean small) {
        String alphabet = small ? "ab_.:@" : NAME_CHARS;
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
