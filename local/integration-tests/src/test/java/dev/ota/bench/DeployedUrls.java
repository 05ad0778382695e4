package dev.ota.bench;

import dev.ota.app.UpdateSender;
import dev.ota.aws.cloudfront.CloudFrontDownloadUrlMinter;
import dev.ota.aws.presign.PresignConfig;
import dev.ota.aws.presign.SigV4DownloadUrlMinter;
import dev.ota.domain.FirmwareRef;
import dev.ota.port.out.DownloadUrlMinter;
import dev.ota.protocol.ProtocolJson;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Random;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Download URLs and update_firmware messages as the deployed stack mints them: the bucket named as
 * template.yaml names it ({@code ota-firmware-{12-digit account}-{stack UUID}}, 62 characters),
 * a region, Lambda's session credentials (their token goes into S3 URLs), and a CloudFront
 * distribution's {@code d…​.cloudfront.net} domain with a 2048-bit key (or 1024).
 */
final class DeployedUrls {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Duration EXPIRY = Duration.ofHours(1);
    static final String BUCKET =
            "ota-firmware-123456789012-" + new UUID(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);

    /** Lambda session tokens, base64: about 1,000 characters is typical, 1,400 is a long one (assumed). */
    static final int TYPICAL_TOKEN = 1000;

    static final int LONG_TOKEN = 1400;

    /** The distribution domain: 14 characters after the d, as CloudFront assigns them. */
    static final String CLOUDFRONT_DOMAIN = "d1a2b3c4d5e6f7.cloudfront.net";

    /** A firmware version as typical ("1.2.3") or as long as Tencent allows (32 characters). */
    static FirmwareRef firmware(String version) {
        return new FirmwareRef(
                version,
                "firmware/PRODUCT0001/" + version + "/image.bin",
                9_999_999_999L,
                "5d41402abc4b2a76b9719d911017c592");
    }

    static String token(int length, long seed) {
        byte[] bytes = new byte[length * 3 / 4];
        new Random(seed).nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes).substring(0, length);
    }

    static DownloadUrlMinter s3(Region region, int tokenLength) {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsSessionCredentials.create(
                "ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token(tokenLength, 42)));
        return new SigV4DownloadUrlMinter(
                PresignConfig.of(region, credentials), BUCKET, EXPIRY, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static DownloadUrlMinter cloudFront(String scheme, int keyBits) {
        return new CloudFrontDownloadUrlMinter(
                scheme,
                CLOUDFRONT_DOMAIN,
                "K2JCJMDEHXQW5F",
                keyPair(keyBits).getPrivate(),
                EXPIRY,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static KeyPair keyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of the update_firmware message that carries this URL. */
    static int messageBytes(DownloadUrlMinter minter, FirmwareRef firmware) {
        return ProtocolJson.toBytes(ProtocolJson.newMapper(), new UpdateSender(minter, (d, m) -> {}).message(firmware))
                .length;
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private DeployedUrls() {}
}
