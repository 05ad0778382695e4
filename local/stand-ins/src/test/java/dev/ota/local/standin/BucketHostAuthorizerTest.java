package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The bucket's endpoint asks an {@link BucketHostEndpoint.Authorizer} about every request s3proxy
 * authenticated, and answers a refusal as S3 does; s3proxy itself accepts session credentials, in
 * signed headers and in presigned URLs ({@code X-Amz-Security-Token}), and keeps checking them.
 */
class BucketHostAuthorizerTest {

    private static final String BUCKET = "firmware-bucket";
    private static final String KEY = "download-abc def";
    private static final StaticCredentialsProvider SESSION = StaticCredentialsProvider.create(
            AwsSessionCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, "role-token:FunctionRole"));

    private static EmbeddedS3 s3;
    private static BucketHostEndpoint endpoint;
    private static S3Presigner presigner;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final List<BucketHostEndpoint.Request> asked = new CopyOnWriteArrayList<>();
    private static volatile String refusal;

    @BeforeAll
    static void start() {
        s3 = new EmbeddedS3().start();
        s3.createBucket(BUCKET);
        // A client on session credentials: x-amz-security-token is a signed header s3proxy must accept.
        try (S3Client client = S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(StandInClients.REGION)
                .credentialsProvider(SESSION)
                .forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            client.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromString("firmware"));
        }
        endpoint = new BucketHostEndpoint(s3.endpoint(), BUCKET, 0)
                .authorizer(request -> {
                    asked.add(request);
                    return refusal;
                })
                .start();
        presigner = S3Presigner.builder()
                .endpointOverride(s3.endpoint())
                .region(StandInClients.REGION)
                .credentialsProvider(SESSION)
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    @AfterAll
    static void stop() {
        presigner.close();
        endpoint.close();
        s3.close();
    }

    @BeforeEach
    void reset() {
        asked.clear();
        refusal = null;
    }

    @Test
    void anAllowedRequestIsServedAndTheAuthorizerSawItsKeyAndToken() throws Exception {
        HttpResponse<String> response = get(url(KEY));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("firmware");
        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.bucket()).isEqualTo(BUCKET);
            assertThat(r.key()).isEqualTo(KEY);
            assertThat(r.query()).containsEntry("X-Amz-Security-Token", "role-token:FunctionRole");
            assertThat(r.objectExists()).isTrue();
        });
    }

    @Test
    void aRefusalIsS3sAccessDenied() throws Exception {
        refusal =
                "User: arn:aws:sts::123456789012:assumed-role/R/F is not authorized to perform: s3:GetObject on resource: x & y";
        long before = endpoint.refused();

        HttpResponse<String> response = get(url(KEY));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/xml");
        assertThat(response.body())
                .contains("<Code>AccessDenied</Code>")
                .contains(
                        "<Message>User: arn:aws:sts::123456789012:assumed-role/R/F is not authorized to perform: s3:GetObject on resource: x &amp; y</Message>");
        assertThat(endpoint.refused() - before).isEqualTo(1);
    }

    @Test
    void aMissingKeyIsAskedAboutAsMissing() throws Exception {
        HttpResponse<String> response = get(url("download-gone"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(asked)
                .singleElement()
                .satisfies(r -> assertThat(r.objectExists()).isFalse());
    }

    @Test
    void aBadSignatureKeepsS3proxysAnswerAndIsNeverAuthorized() throws Exception {
        String url = url(KEY).toString().replace("role-token%3AFunctionRole", "role-token%3AOtherRole");

        HttpResponse<String> response = get(URI.create(url));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("SignatureDoesNotMatch");
        assertThat(asked).isEmpty();
    }

    private static URI url(String key) throws Exception {
        URI pathStyle = presigner
                .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                        .getObjectRequest(r -> r.bucket(BUCKET).key(key)))
                .url()
                .toURI();
        return BucketHostEndpoint.served(pathStyle, BUCKET, endpoint.endpoint());
    }

    private static HttpResponse<String> get(URI url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(url)
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
