package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.aws.presign.PresignConfig;
import dev.ota.aws.presign.SigV4DownloadUrlMinter;
import dev.ota.domain.FirmwareRef;
import dev.ota.local.stack.LocalClients;
import dev.ota.local.standin.EmbeddedS3;
import dev.ota.local.standin.StandInClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The device-path functions' download URLs (SigV4DownloadUrlMinter) against s3proxy, which
 * verifies SigV4 as S3 does: a URL serves the object and Range requests; a tampered, foreign or
 * expired one is refused with 403.
 */
class PresignedDownloadIT {

    private static final String BUCKET = "presign-it";
    private static final String KEY = "firmware/PRESIGN/1.1.0/firmware.bin";
    // Characters a key may hold that URL encoding must get right: space, '+', unicode, '~', '%'.
    private static final String ODD_KEY = "firmware/P 1+x/1.1.0~rc/Prüf ファーム 100%.bin";
    private static final byte[] CONTENT = SharedStack.firmwareBytes(10_000, 3);

    private static EmbeddedS3 s3;
    private static PresignConfig config;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        s3 = new EmbeddedS3().start();
        s3.createBucket(BUCKET);
        try (S3Client client = StandInClients.s3(s3.endpoint())) {
            client.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromBytes(CONTENT));
            client.putObject(b -> b.bucket(BUCKET).key(ODD_KEY), RequestBody.fromBytes(Arrays.copyOf(CONTENT, 777)));
        }
        config = LocalClients.presignConfig(s3.endpoint());
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void urlDownloadsTheObject() throws Exception {
        String url = minter(Duration.ofMinutes(10)).presignGet(KEY).toString();
        assertThat(url).startsWith(s3.endpoint() + "/" + BUCKET + "/" + KEY + "?");

        HttpResponse<byte[]> response = get(url, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(CONTENT);
    }

    @Test
    void urlForAKeyWithSpacesPlusAndUnicodeDownloadsThatObject() throws Exception {
        String url = minter(Duration.ofMinutes(10)).presignGet(ODD_KEY).toString();
        assertThat(url).contains("/firmware/P%201%2Bx/1.1.0~rc/Pr%C3%BCf%20");

        HttpResponse<byte[]> response = get(url, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(Arrays.copyOf(CONTENT, 777));
    }

    @Test
    void rangeRequestsAnswer206WithTheSlice() throws Exception {
        String url = minter(Duration.ofMinutes(10)).presignGet(KEY).toString();

        HttpResponse<byte[]> closed = get(url, "bytes=100-199");
        assertThat(closed.statusCode()).isEqualTo(206);
        assertThat(closed.headers().firstValue("Content-Range")).hasValue("bytes 100-199/10000");
        assertThat(closed.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 100, 200));

        // The open-ended form a resuming device sends.
        HttpResponse<byte[]> open = get(url, "bytes=9990-");
        assertThat(open.statusCode()).isEqualTo(206);
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 9990, 10000));
    }

    @Test
    void tamperedUrlsAreRefused() throws Exception {
        String url = minter(Duration.ofMinutes(10)).presignGet(KEY).toString();
        assertThat(get(url, null).statusCode()).as("control").isEqualTo(200);

        int at = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        String flipped = url.substring(0, at) + (url.charAt(at) == '0' ? '1' : '0') + url.substring(at + 1);
        assertThat(get(flipped, null).statusCode()).isEqualTo(403);

        String longer = url.replace("X-Amz-Expires=600", "X-Amz-Expires=6000");
        assertThat(longer).isNotEqualTo(url);
        assertThat(get(longer, null).statusCode()).isEqualTo(403);

        String otherObject = url.replace("/firmware.bin?", "/other.bin?");
        assertThat(otherObject).isNotEqualTo(url);
        assertThat(get(otherObject, null).statusCode()).isEqualTo(403);
    }

    @Test
    void urlSignedWithAnotherSecretIsRefused() throws Exception {
        PresignConfig foreign = PresignConfig.of(
                        StandInClients.REGION,
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, "not-the-secret")))
                .withEndpoint(s3.endpoint(), true);
        String url = new SigV4DownloadUrlMinter(foreign, BUCKET, Duration.ofMinutes(10))
                .presignGet(KEY)
                .toString();
        assertThat(get(url, null).statusCode()).isEqualTo(403);
    }

    @Test
    void expiredUrlIsRefused() throws Exception {
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);

        // Control: signed an hour ago, valid for two hours.
        String stillValid = new SigV4DownloadUrlMinter(config, BUCKET, Duration.ofHours(2), anHourAgo)
                .presignGet(KEY)
                .toString();
        assertThat(get(stillValid, null).statusCode()).isEqualTo(200);

        // Same signing time, valid for one minute: expired 59 minutes ago.
        String expired = new SigV4DownloadUrlMinter(config, BUCKET, Duration.ofMinutes(1), anHourAgo)
                .presignGet(KEY)
                .toString();
        HttpResponse<byte[]> response = get(expired, null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(new String(response.body())).contains("AccessDenied");
    }

    private static SigV4DownloadUrlMinter minter(Duration expiry) {
        return new SigV4DownloadUrlMinter(config, BUCKET, expiry);
    }

    @Test
    void mintedUrlsFetchTheTopLevelDownloadCopy() throws Exception {
        String md5 = dev.ota.digest.FirmwareDigests.md5Hex(CONTENT);
        try (S3Client client = StandInClients.s3(s3.endpoint())) {
            client.putObject(
                    b -> b.bucket(BUCKET).key(dev.ota.domain.DownloadKey.of(KEY, md5)), RequestBody.fromBytes(CONTENT));
        }
        String url = minter(Duration.ofMinutes(10)).mint(new FirmwareRef("1.1.0", KEY, CONTENT.length, md5));
        HttpResponse<byte[]> response = get(url, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(CONTENT);
    }

    private static HttpResponse<byte[]> get(String url, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (range != null) {
            request.header("Range", range);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
