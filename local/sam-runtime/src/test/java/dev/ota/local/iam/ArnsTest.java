package dev.ota.local.iam;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArnsTest {

    private static final String TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Jobs";

    @Test
    void starAloneMatchesAnything() {
        assertThat(Arns.matches("*", TABLE)).isTrue();
        assertThat(Arns.matches("*", "not-an-arn")).isTrue();
    }

    @Test
    void partsAreMatchedOneByOne() {
        assertThat(Arns.matches(TABLE, TABLE)).isTrue();
        assertThat(Arns.matches("arn:aws:dynamodb:*:123456789012:table/Jobs", TABLE))
                .isTrue();
        assertThat(Arns.matches("arn:aws:dynamodb:eu-west-1:123456789012:table/Jobs", TABLE))
                .isFalse();
        assertThat(Arns.matches("arn:aws:dynamodb:us-east-1:999999999999:table/Jobs", TABLE))
                .isFalse();
        assertThat(Arns.matches("arn:aws:s3:us-east-1:123456789012:table/Jobs", TABLE))
                .isFalse();
        assertThat(Arns.matches("arn:aws-cn:dynamodb:us-east-1:123456789012:table/Jobs", TABLE))
                .isFalse();
    }

    @Test
    void aWildcardInTheResourcePartSpansSlashesAndColons() {
        assertThat(Arns.matches(TABLE + "/index/*", TABLE + "/index/byLive")).isTrue();
        assertThat(Arns.matches(TABLE + "/index/*", TABLE)).isFalse();
        assertThat(Arns.matches(TABLE, TABLE + "/index/byLive")).isFalse();
        assertThat(Arns.matches(
                        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*",
                        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:2026/01/01/abc"))
                .isTrue();
        assertThat(Arns.matches(
                        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*",
                        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/xy:log-stream:abc"))
                .isFalse();
    }

    @Test
    void theResourcePartIsCaseSensitiveTheOthersAreNot() {
        assertThat(Arns.matches("arn:aws:s3:::bucket/download-*", "arn:aws:s3:::bucket/Download-x"))
                .isFalse();
        assertThat(Arns.matches("ARN:AWS:S3:::bucket/download-*", "arn:aws:s3:::bucket/download-x"))
                .isTrue();
    }

    @Test
    void s3ArnsHaveEmptyRegionAndAccount() {
        assertThat(Arns.matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/firmware/P/1.0/f.bin"))
                .isTrue();
        assertThat(Arns.matches("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/k")).isFalse();
        assertThat(Arns.matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket")).isFalse();
        assertThat(Arns.matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/k"))
                .isFalse();
    }

    @Test
    void aShortPatternIsPaddedWithWildcards() {
        assertThat(Arns.matches("arn:aws:sqs:us-east-1", "arn:aws:sqs:us-east-1:123456789012:JobWorkQueue"))
                .isTrue();
        assertThat(Arns.matches("arn:aws:sqs:eu-west-1", "arn:aws:sqs:us-east-1:123456789012:JobWorkQueue"))
                .isFalse();
    }

    @Test
    void aValueThatIsNoArnMatchesOnlyStar() {
        assertThat(Arns.matches("arn:aws:s3:::*", "bucket/key")).isFalse();
    }
}
