package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The CloudFront stand-in, read the way Tencent's C SDK reads a download: one request of at most
 * 1024 bytes on a raw socket, to a URL without a port, and the response's header names matched
 * byte for byte, case-sensitively. URLs are signed by the SDK's own CloudFrontUtilities.
 */
class CloudFrontEndpointTest {

    private static final String BUCKET = "firmware";
    private static final String KEY = "download-5d41402abc4b2a76b9719d911017c592-0123456789abcdef";
    private static final byte[] CONTENT = new byte[100_000];
    private static final String KEY_ID = "K2JCJMDEHXQW5F";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    private static EmbeddedS3 s3;
    private static CloudFrontEndpoint cloudFront;
    private static KeyPair keys;

    @BeforeAll
    static void start() throws Exception {
        new Random(7).nextBytes(CONTENT);
        s3 = new EmbeddedS3().start();
        s3.createBucket(BUCKET);
        try (S3Client client = StandInClients.s3(s3.endpoint())) {
            client.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromBytes(CONTENT));
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        cloudFront = new CloudFrontEndpoint(s3.endpoint(), BUCKET, KEY_ID, pem, CLOCK).start(80);
    }

    @AfterAll
    static void stop() {
        cloudFront.close();
        s3.close();
    }

    static String signed(String key, Duration validFor, KeyPair pair, String keyId) {
        return CloudFrontUtilities.create()
                .getSignedUrlWithCannedPolicy(r -> r.resourceUrl("http://" + cloudFront.domainName() + "/" + key)
                        .privateKey(pair.getPrivate())
                        .keyPairId(keyId)
                        .expirationDate(CLOCK.instant().plus(validFor)))
                .url();
    }

    /** As the C SDK reads it (the request must fit its 1024-byte send buffer, else this throws). */
    static CSdkHttpGet.Response cSdkGet(String url, String range) throws IOException {
        return CSdkHttpGet.get(url, range, Duration.ofSeconds(10));
    }

    @Test
    void aSignedUrlWithoutAPortServesTheObjectWithS3sHeaderNames() throws Exception {
        String url = signed(KEY, Duration.ofMinutes(10), keys, KEY_ID);
        assertThat(URI.create(url).getPort())
                .as("port 80 of a loopback address, as root can bind it: " + url)
                .isEqualTo(-1);
        CSdkHttpGet.Response response = cSdkGet(url, null);
        assertThat(response.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(response.headers()).containsKeys("Content-Length", "Content-Type", "ETag", "Last-Modified");
        assertThat(response.headers()).doesNotContainKeys("Content-length", "content-length", "Transfer-Encoding");
        assertThat(response.body()).isEqualTo(CONTENT);
        assertThat(response.complete()).isTrue();
    }

    @Test
    void aCutDownloadEndsShortOfItsContentLengthAndOnlyTheNextOneIsCut() throws Exception {
        String url = signed(KEY, Duration.ofMinutes(10), keys, KEY_ID);
        cloudFront.dropNextDownloads(1, 30_000, Duration.ZERO);

        CSdkHttpGet.Response cut = cSdkGet(url, null);
        assertThat(cut.headers().get("Content-Length")).isEqualTo(String.valueOf(CONTENT.length));
        assertThat(cut.body()).hasSize(30_000);
        assertThat(cut.complete()).isFalse();

        CSdkHttpGet.Response resumed = cSdkGet(url, "bytes=30000-" + CONTENT.length);
        assertThat(resumed.complete()).isTrue();
        assertThat(resumed.body().length).isEqualTo(70_000);
        assertThat(resumed.body()[0]).isEqualTo(CONTENT[30_000]);
    }

    @Test
    void aRangeFromASavedOffsetIsA206WithContentRange() throws Exception {
        String url = signed(KEY, Duration.ofMinutes(10), keys, KEY_ID);
        CSdkHttpGet.Response response = cSdkGet(url, "bytes=40000-" + CONTENT.length);
        assertThat(response.statusLine()).isEqualTo("HTTP/1.1 206 Partial Content");
        assertThat(response.headers().get("Content-Range")).isEqualTo("bytes 40000-99999/100000");
        assertThat(response.headers().get("Content-Length")).isEqualTo("60000");
        assertThat(response.body().length).isEqualTo(60_000);
        assertThat(response.body()[0]).isEqualTo(CONTENT[40_000]);
    }

    @Test
    void anExpiredTamperedForeignOrUnsignedUrlIs403() throws Exception {
        long denied = cloudFront.denied();
        String expired = signed(KEY, Duration.ofSeconds(-1), keys, KEY_ID);
        assertThat(cSdkGet(expired, null).statusLine()).startsWith("HTTP/1.1 403");

        String other =
                signed(KEY, Duration.ofMinutes(10), keys, KEY_ID).replace("/" + KEY, "/" + KEY.replace("0123", "9999"));
        assertThat(cSdkGet(other, null).statusLine()).startsWith("HTTP/1.1 403");

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String foreignKey = signed(KEY, Duration.ofMinutes(10), generator.generateKeyPair(), KEY_ID);
        assertThat(cSdkGet(foreignKey, null).statusLine()).startsWith("HTTP/1.1 403");

        String wrongId = signed(KEY, Duration.ofMinutes(10), keys, "KOTHERKEYID123");
        assertThat(cSdkGet(wrongId, null).statusLine()).startsWith("HTTP/1.1 403");

        String unsigned = "http://" + cloudFront.domainName() + "/" + KEY + "?x=1";
        CSdkHttpGet.Response missing = cSdkGet(unsigned, null);
        assertThat(missing.statusLine()).startsWith("HTTP/1.1 403");
        assertThat(new String(missing.body(), StandardCharsets.UTF_8)).contains("MissingKey");
        assertThat(cloudFront.denied() - denied).isEqualTo(5);
    }
}
