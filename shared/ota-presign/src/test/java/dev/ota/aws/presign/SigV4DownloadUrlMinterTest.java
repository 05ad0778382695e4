package dev.ota.aws.presign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.FirmwareRef;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The minter's URL against S3Presigner's (SDK 2.40.2) for the same bucket, key, region, credentials,
 * lifetime and signing instant: equal as strings, byte for byte. Both presigners sign at the same
 * fixed instant (S3Presigner through {@link PresignerClock}); every comparison also checks that
 * X-Amz-Date is that instant, so a clock that did not take cannot pass as equality.
 */
class SigV4DownloadUrlMinterTest {

    private static final String BUCKET = "ota-firmware-123456789012-0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5";
    private static final String KEY = "firmware/PRODUCT1/1.1.0/firmware.bin";
    private static final Instant T0 = Instant.parse("2025-03-14T15:09:26Z");

    private static final StaticCredentialsProvider BASIC = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    // Lambda's credentials are temporary: key, secret and a session token (base64, '+' '/' '=' included).
    private static final StaticCredentialsProvider SESSION =
            StaticCredentialsProvider.create(AwsSessionCredentials.create(
                    "ASIAIOSFODNN7EXAMPLE",
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/token=="));

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        String[] regions = {
            "us-east-1",
            "us-west-2",
            "eu-west-1",
            "eu-central-1",
            "ap-southeast-2",
            "sa-east-1",
            "cn-north-1",
            "us-gov-west-1",
            "eusc-de-east-1",
            "us-iso-east-1"
        };
        Duration[] expiries = {Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofDays(7)};
        Instant[] instants = {T0, Instant.parse("2024-02-29T23:59:59Z"), Instant.parse("2031-01-01T00:00:00Z")};
        int i = 0;
        for (String region : regions) {
            for (StaticCredentialsProvider credentials : List.of(BASIC, SESSION)) {
                cases.add(Arguments.of(
                        region,
                        credentials == SESSION ? "session" : "basic",
                        credentials,
                        expiries[i % expiries.length],
                        instants[i % instants.length]));
                i++;
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {3} at {4}")
    @MethodSource("cases")
    void equalsS3PresignerForRegionCredentialsExpiryAndInstant(
            String region, String kind, StaticCredentialsProvider credentials, Duration expiry, Instant at) {
        assertSameUrl(PresignConfig.of(Region.of(region), credentials), BUCKET, KEY, expiry, at);
    }

    @Test
    void equalsS3PresignerInEveryRegionTheSdkKnows() {
        List<Region> regions =
                Region.regions().stream().filter(r -> !r.isGlobalRegion()).toList();
        assertThat(regions).hasSizeGreaterThan(30);
        for (Region region : regions) {
            assertSameUrl(PresignConfig.of(region, SESSION), BUCKET, KEY, Duration.ofHours(1), T0);
        }
    }

    @Test
    void awsUrlsAreVirtualHostedWithTheLegacyGlobalEndpointInUsEast1() {
        assertThat(mint(PresignConfig.of(Region.US_EAST_1, BASIC), BUCKET, KEY, Duration.ofHours(1), T0))
                .startsWith("https://" + BUCKET + ".s3.amazonaws.com/" + KEY + "?");
        assertThat(mint(PresignConfig.of(Region.EU_WEST_1, BASIC), BUCKET, KEY, Duration.ofHours(1), T0))
                .startsWith("https://" + BUCKET + ".s3.eu-west-1.amazonaws.com/" + KEY + "?");
        assertThat(mint(PresignConfig.of(Region.CN_NORTH_1, BASIC), BUCKET, KEY, Duration.ofHours(1), T0))
                .startsWith("https://" + BUCKET + ".s3.cn-north-1.amazonaws.com.cn/" + KEY + "?");
    }

    @Test
    void theSignatureCoversTheSessionTokenAndUnsignedPayload() {
        String url = mint(PresignConfig.of(Region.EU_WEST_1, SESSION), BUCKET, KEY, Duration.ofMinutes(15), T0);
        assertThat(url)
                .contains(
                        "X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaCXVzLWVhc3QtMSJHMEUCIQD%2Bexample%2Ftoken%3D%3D")
                .contains("X-Amz-Algorithm=AWS4-HMAC-SHA256")
                .contains("X-Amz-Date=20250314T150926Z")
                .contains("X-Amz-SignedHeaders=host")
                .contains("X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F20250314%2Feu-west-1%2Fs3%2Faws4_request")
                .contains("X-Amz-Expires=900")
                .containsPattern("X-Amz-Signature=[0-9a-f]{64}$");
        assertThat(mint(PresignConfig.of(Region.EU_WEST_1, BASIC), BUCKET, KEY, Duration.ofMinutes(15), T0))
                .doesNotContain("X-Amz-Security-Token");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "firmware/P1/1.0.0/fw.bin",
                "firmware/P 1/1.0.0/my firmware.bin",
                "firmware/P+1/1.0.0+build.7/fw.bin",
                "firmware/Prüfgerät/1.0.0/ファームウェア.bin",
                "firmware/emoji/🚀.bin",
                "a b+c/ü~*'()!$&,;=:@?#[]%.bin",
                "percent%2Falready-encoded%20.bin",
                "tab\tnewline\ncr\r.bin",
                "/leading-slash",
                "double//slash",
                "dot/./segments/../here",
                "trailing/",
                "UPPER_lower-0123456789.~_-"
            })
    void keysEncodeAsS3PresignerEncodesThem(String key) {
        assertSameUrl(PresignConfig.of(Region.US_WEST_2, SESSION), BUCKET, key, Duration.ofMinutes(10), T0);
        assertSameUrl(PresignConfig.of(Region.US_EAST_1, BASIC), BUCKET, key, Duration.ofMinutes(10), T0);
    }

    @Test
    void everyAsciiCharacterInAKeyEncodesAsS3PresignerEncodesIt() {
        for (char c = 0x01; c < 0x80; c++) {
            assertSameUrl(
                    PresignConfig.of(Region.AP_NORTHEAST_1, BASIC), BUCKET, "k" + c + "k", Duration.ofMinutes(10), T0);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "my.dotted.bucket",
                "MixedCase",
                "under_score",
                "ab",
                "a-bucket-name-of-sixty-four-characters-is-one-too-long-for-label"
            })
    void bucketsThatCannotBeAHostLabelArePathStyleAsS3PresignerMakesThem(String bucket) {
        assertSameUrl(PresignConfig.of(Region.EU_CENTRAL_1, BASIC), bucket, KEY, Duration.ofHours(1), T0);
        assertSameUrl(PresignConfig.of(Region.US_EAST_1, SESSION), bucket, KEY, Duration.ofHours(1), T0);
    }

    @Test
    void pathStyleEndpointOverrideAsTheLocalStackUsesIt() {
        PresignConfig local =
                PresignConfig.of(Region.US_EAST_1, BASIC).withEndpoint(URI.create("http://127.0.0.1:45678"), true);
        assertSameUrl(local, "ota-firmware-local", KEY, Duration.ofSeconds(2), T0);
        assertSameUrl(local, "ota-firmware-local", "firmware/P 1/ü+.bin", Duration.ofHours(1), T0);
        assertThat(mint(local, "ota-firmware-local", KEY, Duration.ofHours(1), T0))
                .startsWith("http://127.0.0.1:45678/ota-firmware-local/" + KEY + "?");
    }

    @Test
    void virtualHostedEndpointOverrideWithABasePath() {
        PresignConfig custom = PresignConfig.of(Region.EU_WEST_1, SESSION)
                .withEndpoint(URI.create("https://s3.example.com/base"), false);
        assertSameUrl(custom, BUCKET, KEY, Duration.ofHours(1), T0);
        assertThat(mint(custom, BUCKET, KEY, Duration.ofHours(1), T0))
                .startsWith("https://" + BUCKET + ".s3.example.com/base/" + KEY + "?");
        assertSameUrl(
                custom.withEndpoint(URI.create("https://s3.example.com:8443/base/"), true),
                BUCKET,
                KEY,
                Duration.ofHours(1),
                T0);
    }

    @Test
    void anIpEndpointIsPathStyleEvenWhenNotAskedFor() {
        assertSameUrl(
                PresignConfig.of(Region.US_EAST_1, BASIC).withEndpoint(URI.create("http://127.0.0.1:9000"), false),
                BUCKET,
                KEY,
                Duration.ofHours(1),
                T0);
    }

    @Test
    void signingTimeAndCredentialsTakePartInTheUrl() {
        PresignConfig config = PresignConfig.of(Region.EU_WEST_1, BASIC);
        String url = mint(config, BUCKET, KEY, Duration.ofHours(1), T0);
        assertThat(mint(config, BUCKET, KEY, Duration.ofHours(1), T0)).isEqualTo(url);
        assertThat(mint(config, BUCKET, KEY, Duration.ofHours(1), T0.plusSeconds(1)))
                .isNotEqualTo(url);
        assertThat(mint(
                        PresignConfig.of(
                                Region.EU_WEST_1,
                                StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "another-secret"))),
                        BUCKET,
                        KEY,
                        Duration.ofHours(1),
                        T0))
                .isNotEqualTo(url);
    }

    @Test
    void credentialsAreResolvedForEveryUrl() {
        AtomicInteger calls = new AtomicInteger();
        AwsCredentialsProvider rotating = () -> AwsBasicCredentials.create("AKID" + calls.incrementAndGet(), "secret");
        SigV4DownloadUrlMinter minter = new SigV4DownloadUrlMinter(
                PresignConfig.of(Region.EU_WEST_1, rotating),
                BUCKET,
                Duration.ofHours(1),
                Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(minter.presignGet(KEY).getRawQuery()).contains("X-Amz-Credential=AKID1%2F");
        assertThat(minter.presignGet(KEY).getRawQuery()).contains("X-Amz-Credential=AKID2%2F");
    }

    @Test
    void mintSignsTheFirmwaresTopLevelDownloadCopy() {
        SigV4DownloadUrlMinter minter = new SigV4DownloadUrlMinter(
                PresignConfig.of(Region.EU_WEST_1, BASIC),
                BUCKET,
                Duration.ofHours(1),
                Clock.fixed(T0, ZoneOffset.UTC));
        String md5 = "0".repeat(32);
        String url = minter.mint(new FirmwareRef("1.1.0", KEY, 1000, md5));
        assertThat(url)
                .isEqualTo(minter.presignGet(dev.ota.domain.DownloadKey.of(KEY, md5))
                        .toString());
        // A one-segment path: Tencent's Python SDK takes its Host header from before the last '/'.
        assertThat(java.net.URI.create(url).getRawPath())
                .doesNotContain("/firmware")
                .matches("/[^/]+");
    }

    @Test
    void servedAsMovesTheSignedUrlWithoutResigning() {
        java.net.URI moved = java.net.URI.create("http://127.0.0.1:9001/x");
        SigV4DownloadUrlMinter minter = new SigV4DownloadUrlMinter(
                PresignConfig.of(Region.EU_WEST_1, BASIC).servedAs(u -> moved),
                BUCKET,
                Duration.ofHours(1),
                Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(minter.mint(new FirmwareRef("1.1.0", KEY, 1000, "0".repeat(32))))
                .isEqualTo(moved.toString());
    }

    @Test
    void rejectsWhatS3OrSigV4WouldNotAccept() {
        PresignConfig config = PresignConfig.of(Region.EU_WEST_1, BASIC);
        assertThatThrownBy(() -> new SigV4DownloadUrlMinter(config, BUCKET, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SigV4DownloadUrlMinter(config, BUCKET, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SigV4DownloadUrlMinter(
                        config, BUCKET, Duration.ofDays(7).plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SigV4DownloadUrlMinter(config, "", Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SigV4DownloadUrlMinter(
                        config, "arn:aws:s3:eu-west-1:123456789012:accesspoint/ap", Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SigV4DownloadUrlMinter(config, "fw--euw1-az1--x-s3", Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SigV4DownloadUrlMinter(
                        PresignConfig.of(Region.AWS_GLOBAL, BASIC), BUCKET, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SigV4DownloadUrlMinter(config, BUCKET, Duration.ofHours(1)).presignGet(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new SigV4DownloadUrlMinter(config, BUCKET, Duration.ofDays(7))
                        .presignGet(KEY)
                        .getRawQuery())
                .contains("X-Amz-Expires=604800");
    }

    // ---------------------------------------------------------------------------------------------

    private static String mint(PresignConfig config, String bucket, String key, Duration expiry, Instant at) {
        return new SigV4DownloadUrlMinter(config, bucket, expiry, Clock.fixed(at, ZoneOffset.UTC))
                .presignGet(key)
                .toString();
    }

    private static String s3Presigner(PresignConfig config, String bucket, String key, Duration expiry, Instant at) {
        S3Presigner.Builder builder =
                S3Presigner.builder().region(config.region()).credentialsProvider(config.credentials());
        if (config.endpointOverride() != null) {
            builder.endpointOverride(config.endpointOverride())
                    .serviceConfiguration(S3Configuration.builder()
                            .pathStyleAccessEnabled(config.pathStyle())
                            .build());
        }
        try (S3Presigner presigner = builder.build()) {
            return PresignerClock.at(
                    at,
                    () -> presigner
                            .presignGetObject(p -> p.signatureDuration(expiry)
                                    .getObjectRequest(g -> g.bucket(bucket).key(key)))
                            .url()
                            .toString());
        }
    }

    private static void assertSameUrl(PresignConfig config, String bucket, String key, Duration expiry, Instant at) {
        String expected = s3Presigner(config, bucket, key, expiry, at);
        String amzDate = "X-Amz-Date=" + at.toString().replace("-", "").replace(":", "");
        assertThat(expected).as("S3Presigner signed at the fixed instant").contains(amzDate);
        assertThat(mint(config, bucket, key, expiry, at))
                .as("%s %s key '%s' %s at %s", config.region(), bucket, key, expiry, at)
                .isEqualTo(expected);
    }
}
