package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The bucket's own endpoint in front of s3proxy: path-style presigned URLs moved by {@link BucketHostEndpoint#served}, relayed with their headers. */
class BucketHostEndpointTest {

    private static final String BUCKET = "firmware";
    private static final String KEY = "p1/fw-2.0.0.bin";
    private static final byte[] CONTENT = bytes(1000);

    private static EmbeddedS3 s3;
    private static BucketHostEndpoint endpoint;
    private static S3Presigner presigner;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        s3 = new EmbeddedS3().start();
        s3.createBucket(BUCKET);
        try (S3Client client = StandInClients.s3(s3.endpoint())) {
            client.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromBytes(CONTENT));
        }
        endpoint = new BucketHostEndpoint(s3.endpoint(), BUCKET, 0).start();
        presigner = StandInClients.s3Presigner(s3.endpoint());
    }

    @AfterAll
    static void stop() {
        presigner.close();
        endpoint.close();
        s3.close();
    }

    @Test
    void servesAPresignedGetWithTheKeyAsTheWholePath() throws Exception {
        URI url = presignedGet();
        assertThat(url.getPort()).isEqualTo(endpoint.port());
        assertThat(url.getPath()).isEqualTo("/" + KEY);
        long served = endpoint.bytesServed();
        long requests = endpoint.requests();

        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(url).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(CONTENT);
        assertThat(endpoint.bytesServed() - served).isEqualTo(CONTENT.length);
        assertThat(endpoint.requests() - requests).isEqualTo(1);
    }

    @Test
    void aCSdkReadFindsTheHeaderNamesS3WritesByteForByte() throws Exception {
        URI url = presignedGet();
        assertThat(CSdkHttpGet.request(url, null).length).isLessThanOrEqualTo(CSdkHttpGet.SEND_BUFFER_BYTES);

        CSdkHttpGet.Response whole = CSdkHttpGet.get(url.toString(), null, Duration.ofSeconds(10));
        assertThat(whole.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(whole.headers())
                .containsEntry("Content-Length", String.valueOf(CONTENT.length))
                .containsEntry("Accept-Ranges", "bytes")
                .containsKeys("Content-Type", "ETag", "Last-Modified", "x-amz-request-id")
                .doesNotContainKeys("Content-length", "content-length", "Etag", "Last-modified", "Transfer-Encoding");
        assertThat(whole.body()).isEqualTo(CONTENT);
        assertThat(whole.complete()).isTrue();

        // as the C SDK resumes: from its saved offset to the file size
        CSdkHttpGet.Response rest = CSdkHttpGet.get(url.toString(), "bytes=400-1000", Duration.ofSeconds(10));
        assertThat(rest.statusLine()).isEqualTo("HTTP/1.1 206 Partial Content");
        assertThat(rest.headers())
                .containsEntry("Content-Range", "bytes 400-999/1000")
                .containsEntry("Content-Length", "600")
                .doesNotContainKeys("Content-range", "Content-length");
        assertThat(rest.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 400, 1000));
    }

    @Test
    void aCutDownloadReadsShortOfItsContentLength() throws Exception {
        endpoint.dropNextDownloads(1, 250, Duration.ZERO);

        CSdkHttpGet.Response cut = CSdkHttpGet.get(presignedGet().toString(), null, Duration.ofSeconds(10));

        assertThat(cut.headers()).containsEntry("Content-Length", String.valueOf(CONTENT.length));
        assertThat(cut.body()).isEqualTo(Arrays.copyOf(CONTENT, 250));
        assertThat(cut.complete()).isFalse();
    }

    @Test
    void relaysRangeRequests() throws Exception {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(presignedGet())
                .header("Range", "bytes=100-199")
                .GET());

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(CONTENT, 100, 200));
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes 100-199/1000");
    }

    @Test
    void headAnswersTheLengthWithoutABody() throws Exception {
        HttpResponse<byte[]> response =
                send(HttpRequest.newBuilder(presignedHead()).method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Length")).hasValue(String.valueOf(CONTENT.length));
        assertThat(response.body()).isEmpty();
    }

    @Test
    void s3proxyStillChecksTheSignature() throws Exception {
        String url = presignedGet().toString();
        int at = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
        String tampered = url.substring(0, at) + (url.charAt(at) == '0' ? '1' : '0') + url.substring(at + 1);

        assertThat(send(HttpRequest.newBuilder(URI.create(tampered)).GET()).statusCode())
                .isEqualTo(403);
    }

    @Test
    void onlyGetAndHead() throws Exception {
        HttpResponse<byte[]> response =
                send(HttpRequest.newBuilder(presignedGet()).PUT(HttpRequest.BodyPublishers.ofByteArray(CONTENT)));

        assertThat(response.statusCode()).isEqualTo(405);
    }

    @Test
    void aDroppedDownloadEndsShortOfItsLengthAndOnlyTheNextOneDrops() throws Exception {
        endpoint.dropNextDownloads(1, 300, Duration.ZERO);
        long served = endpoint.bytesServed();

        assertThatThrownBy(() -> send(HttpRequest.newBuilder(presignedGet()).GET()))
                .isInstanceOf(IOException.class);
        assertThat(endpoint.bytesServed() - served).isEqualTo(300);

        HttpResponse<byte[]> next = send(HttpRequest.newBuilder(presignedGet()).GET());
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.body()).isEqualTo(CONTENT);
    }

    private static URI presignedGet() throws Exception {
        URI pathStyle = presigner
                .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                        .getObjectRequest(r -> r.bucket(BUCKET).key(KEY)))
                .url()
                .toURI();
        return BucketHostEndpoint.served(pathStyle, BUCKET, endpoint.endpoint());
    }

    // S3Presigner signs no HEAD: the SDK's SigV4 signer, then the URL moved to the bucket's endpoint.
    private static URI presignedHead() {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.HEAD)
                .uri(s3.endpoint().resolve("/" + BUCKET + "/" + KEY))
                .build();
        SignedRequest signed = AwsV4HttpSigner.create()
                .sign(r -> r.request(request)
                        .identity(StandInClients.CREDENTIALS.resolveCredentials())
                        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, StandInClients.REGION.id())
                        .putProperty(
                                AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(5))
                        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                        .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false));
        return BucketHostEndpoint.served(signed.request().getUri(), BUCKET, endpoint.endpoint());
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 13 + 5);
        }
        return bytes;
    }
}
