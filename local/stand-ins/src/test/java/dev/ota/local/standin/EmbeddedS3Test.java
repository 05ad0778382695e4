package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

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
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

class EmbeddedS3Test {

    private static final String BUCKET = "firmware";
    private static final String KEY = "p1/fw-1.3.0.bin";
    private static final byte[] CONTENT = firmwareBytes(1000);

    private static EmbeddedS3 s3;
    private static S3Client client;
    private static S3Presigner presigner;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        s3 = new EmbeddedS3().start();
        s3.createBucket(BUCKET);
        client = StandInClients.s3(s3.endpoint());
        presigner = StandInClients.s3Presigner(s3.endpoint());
        client.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromBytes(CONTENT));
    }

    @AfterAll
    static void stop() {
        presigner.close();
        client.close();
        s3.close();
    }

    @Test
    void listensOnLoopbackAndExposesTheFixedKeys() {
        assertThat(s3.endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(s3.endpoint().getPort()).isPositive();
        assertThat(s3.accessKey()).isEqualTo("local");
        assertThat(s3.secretKey()).isEqualTo("localsecret");
    }

    @Test
    void sdkReadsBackWhatItWrote() {
        byte[] read = client.getObjectAsBytes(b -> b.bucket(BUCKET).key(KEY)).asByteArray();
        assertThat(read).isEqualTo(CONTENT);
    }

    @Test
    void presignedGetServesTheObject() throws Exception {
        URI url = presignGet(Duration.ofMinutes(10));
        assertThat(url.getPath()).startsWith("/" + BUCKET + "/"); // path-style
        assertThat(url.getQuery()).contains("X-Amz-Signature=");

        HttpResponse<byte[]> response = get(url, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(CONTENT);
    }

    @Test
    void presignedGetWithRangeAnswers206WithThatSlice() throws Exception {
        URI url = presignGet(Duration.ofMinutes(10));

        HttpResponse<byte[]> closed = get(url, "bytes=100-199");
        assertThat(closed.statusCode()).isEqualTo(206);
        assertThat(closed.headers().firstValue("Content-Range")).hasValue("bytes 100-199/1000");
        assertThat(closed.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 100, 200));

        // The open-ended form the Java device SDK sends when it resumes.
        HttpResponse<byte[]> open = get(url, "bytes=990-");
        assertThat(open.statusCode()).isEqualTo(206);
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 990, 1000));
    }

    @Test
    void tamperedSignatureIsRejected() throws Exception {
        String url = presignGet(Duration.ofMinutes(10)).toString();
        int at = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        char flipped = url.charAt(at) == '0' ? '1' : '0';
        URI tampered = URI.create(url.substring(0, at) + flipped + url.substring(at + 1));

        assertThat(get(tampered, null).statusCode()).isEqualTo(403);
    }

    @Test
    void urlSignedWithAnotherSecretIsRejected() throws Exception {
        SdkHttpRequest signed = signGetAt(Instant.now(), Duration.ofMinutes(10), "not-the-secret");
        assertThat(get(signed.getUri(), null).statusCode()).isEqualTo(403);
    }

    @Test
    void expiredPresignedUrlIsRejected() throws Exception {
        Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));

        // Control: signed an hour ago but valid for two hours, so the signing itself is right.
        SdkHttpRequest stillValid = signGetAt(anHourAgo, Duration.ofHours(2), s3.secretKey());
        assertThat(get(stillValid.getUri(), null).statusCode()).isEqualTo(200);

        // Same signer, same time, but valid for one minute only: expired 59 minutes ago.
        SdkHttpRequest expired = signGetAt(anHourAgo, Duration.ofMinutes(1), s3.secretKey());
        HttpResponse<byte[]> response = get(expired.getUri(), null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(new String(response.body())).contains("AccessDenied");
    }

    @Test
    void presignedPutStoresTheObject() throws Exception {
        byte[] upload = firmwareBytes(300);
        URI url = presigner
                .presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                        .putObjectRequest(r -> r.bucket(BUCKET).key("p1/uploaded.bin")))
                .url()
                .toURI();

        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(url)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(upload))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(client.getObjectAsBytes(b -> b.bucket(BUCKET).key("p1/uploaded.bin"))
                        .asByteArray())
                .isEqualTo(upload);
    }

    @Test
    void unsignedRequestIsRejected() throws Exception {
        URI plain = s3.endpoint().resolve("/" + BUCKET + "/" + KEY);
        assertThat(get(plain, null).statusCode()).isEqualTo(403);
    }

    private static URI presignGet(Duration validFor) throws Exception {
        return presigner
                .presignGetObject(p -> p.signatureDuration(validFor)
                        .getObjectRequest(r -> r.bucket(BUCKET).key(KEY)))
                .url()
                .toURI();
    }

    // The SDK's own SigV4 signer with a clock set in the past: a correctly signed URL that has expired.
    private static SdkHttpRequest signGetAt(Instant signingTime, Duration validFor, String secret) {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .uri(s3.endpoint().resolve("/" + BUCKET + "/" + KEY))
                .build();
        SignedRequest signed = AwsV4HttpSigner.create()
                .sign(r -> r.request(request)
                        .identity(AwsBasicCredentials.create(s3.accessKey(), secret))
                        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, StandInClients.REGION.id())
                        .putProperty(
                                AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, validFor)
                        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                        .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signingTime, ZoneOffset.UTC)));
        return signed.request();
    }

    private static HttpResponse<byte[]> get(URI url, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET();
        if (range != null) {
            request.header("Range", range);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] firmwareBytes(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }
}
