package dev.ota.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** A SigV4-signing client of the management API over real HTTP, as an operator's tool would call it. */
final class ApiClient {

    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");
    private static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, JsonNode body, HttpResponse<byte[]> raw) {
        String code() {
            return body == null ? null : body.path("code").asText(null);
        }
    }

    private final URI endpoint;
    private final AwsCredentialsIdentity credentials;
    private final String region;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(URI endpoint, AwsCredentialsIdentity credentials, String region) {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.region = region;
    }

    static ApiClient local(URI endpoint) {
        return new ApiClient(
                endpoint,
                AwsBasicCredentials.create(
                        dev.ota.local.standin.EmbeddedS3.ACCESS_KEY, dev.ota.local.standin.EmbeddedS3.SECRET_KEY),
                "us-east-1");
    }

    ApiClient withCredentials(AwsCredentialsIdentity other) {
        return new ApiClient(endpoint, other, region);
    }

    Response get(String pathAndQuery) throws IOException, InterruptedException {
        return send("GET", pathAndQuery, null);
    }

    Response post(String path, String body) throws IOException, InterruptedException {
        return send("POST", path, body);
    }

    Response send(String method, String pathAndQuery, String body) throws IOException, InterruptedException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create(endpoint + pathAndQuery);
        SdkHttpRequest.Builder unsigned =
                SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        if (body != null) {
            unsigned.putHeader("content-type", "application/json");
        }
        SignedRequest signed = AwsV4HttpSigner.create()
                .sign(r -> r.identity(credentials)
                        .request(unsigned.build())
                        .payload(ContentStreamProvider.fromByteArray(bytes))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        bytes.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(bytes));
        signed.request().forEachHeader((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        return response(http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** No Authorization header at all. */
    Response unsigned(String method, String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return response(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
    }

    private static Response response(HttpResponse<byte[]> response) throws IOException {
        JsonNode body = response.body().length == 0 ? null : JSON.readTree(response.body());
        return new Response(response.statusCode(), body, response);
    }

    /** PUTs bytes to a presigned URL (S3); returns the ETag. */
    String putPresigned(String url, byte[] bytes) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("PUT " + url + " -> " + response.statusCode() + " " + response.body());
        }
        return response.headers().firstValue("ETag").orElseThrow();
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
