package dev.ota.local.iam;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WildcardsTest {

    @Test
    void starMatchesAnyRunIncludingNone() {
        assertThat(Wildcards.matches("download-*", "download-")).isTrue();
        assertThat(Wildcards.matches("download-*", "download-abc/def")).isTrue();
        assertThat(Wildcards.matches("*", "")).isTrue();
        assertThat(Wildcards.matches("a*b*c", "aXXbYYc")).isTrue();
        assertThat(Wildcards.matches("a*b*c", "aXXbYY")).isFalse();
        assertThat(Wildcards.matches("*Item", "UpdateItem")).isTrue();
        assertThat(Wildcards.matches("*Item", "UpdateItems")).isFalse();
    }

    @Test
    void questionMarkMatchesExactlyOneCharacter() {
        assertThat(Wildcards.matches("v?.bin", "v1.bin")).isTrue();
        assertThat(Wildcards.matches("v?.bin", "v.bin")).isFalse();
        assertThat(Wildcards.matches("v?.bin", "v10.bin")).isFalse();
        assertThat(Wildcards.matches("??", "ab")).isTrue();
    }

    @Test
    void everythingElseIsLiteral() {
        assertThat(Wildcards.matches("a.b", "aXb")).isFalse();
        assertThat(Wildcards.matches("$ota/update/*", "$ota/update/P/D")).isTrue();
        assertThat(Wildcards.matches("[ab]", "a")).isFalse();
        assertThat(Wildcards.matches("a\\*", "a\\xyz")).isTrue();
    }

    @Test
    void matchingIsExactUnlessAskedToIgnoreCase() {
        assertThat(Wildcards.matches("download-*", "Download-x")).isFalse();
        assertThat(Wildcards.matchesIgnoringCase("DynamoDB:get*", "dynamodb:GetItem"))
                .isTrue();
    }

    @Test
    void backtrackingFindsALaterMatch() {
        assertThat(Wildcards.matches("*ab", "aab")).isTrue();
        assertThat(Wildcards.matches("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac"))
                .isFalse();
        assertThat(Wildcards.matches("*/index/*", "table/Jobs/index/byLive")).isTrue();
    }
}
