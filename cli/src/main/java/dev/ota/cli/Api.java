package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The management API over HTTPS, every request signed with SigV4 for {@code execute-api} by the
 * SDK's AwsV4HttpSigner. Errors become {@link CliException}s with the exit code they mean;
 * throttling and unreachable endpoints are retried (3 times, backing off) where that is safe.
 */
public final class Api {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RESTRICTED_HEADERS =
            Set.of("host", "content-length", "connection", "expect", "upgrade");
    private static final Pattern EXECUTE_API_HOST =
            Pattern.compile("^[a-z0-9]+\\.execute-api\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?$");
    private static final int ATTEMPTS = 4;

    private final URI endpoint;
    private final String region;
    private final AwsCredentialsProvider credentials;
    private final PrintStream debug;
    private final HttpClient http;
    private final AtomicLong answered = new AtomicLong();

    Api(URI endpoint, String region, AwsCredentialsProvider credentials, PrintStream debug) {
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        this.debug = debug;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    HttpClient http() {
        return http;
    }

    /** Requests the API answered (whatever the status), retries included. */
    public long answered() {
        return answered.get();
    }

    public URI endpoint() {
        return endpoint;
    }

    public String region() {
        return region;
    }

    /** The access key id the calls are signed with; throws {@link CliException} when there are no credentials. */
    public String accessKeyId() {
        return identity().accessKeyId();
    }

    private AwsCredentialsIdentity identity() {
        try {
            return credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw new CliException(ExitCodes.CONFIG, "no AWS credentials: " + e.getMessage());
        }
    }

    /** The region an {@code https://{id}.execute-api.{region}.amazonaws.com} URL names, if it names one. */
    static String regionOf(URI endpoint) {
        Matcher m = EXECUTE_API_HOST.matcher(endpoint.getHost() == null ? "" : endpoint.getHost());
        return m.matches() ? m.group(1) : null;
    }

    /** One path segment, percent-encoded (a '+' or '/' inside a version stays inside it). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Joins segments into a path: {@code =name} is a literal, anything else an encoded value. */
    public static String path(String... segments) {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/').append(s.startsWith("=") ? s.substring(1) : segment(s));
        }
        return sb.toString();
    }

    /** Query parameters from name, value pairs; a null value leaves its parameter out. */
    public static Map<String, String> query(String... pairs) {
        Map<String, String> query = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                query.put(pairs[i], pairs[i + 1]);
            }
        }
        return query;
    }

    public JsonNode get(String path, Map<String, String> query) {
        return call("GET", path, query, null);
    }

    public JsonNode post(String path, JsonNode body) {
        return call("POST", path, Map.of(), body);
    }

    public JsonNode patch(String path, JsonNode body) {
        return call("PATCH", path, Map.of(), body);
    }

    public JsonNode delete(String path) {
        return call("DELETE", path, Map.of(), null);
    }

    private JsonNode call(String method, String path, Map<String, String> query, JsonNode body) {
        byte[] bytes = body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
        StringJoiner q = new StringJoiner("&");
        query.forEach((k, v) -> q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")));
        HttpResponse<byte[]> response = send(method, path, q.toString(), bytes, body != null);
        return result(method, path, response.statusCode(), response.body());
    }

    /** What the API answered to one request, as it answered it. */
    public record Answer(int status, byte[] body, String contentType) {}

    /**
     * One request as a client such as the console hands it over: an encoded path and query, a JSON
     * body or none. Signed, sent and retried exactly as the CLI's own calls; the API's answer is
     * returned whatever its status. Throws {@link CliException} when nothing could be sent or
     * nothing came back (no credentials, unreachable endpoint).
     */
    public Answer forward(String method, String rawPath, String rawQuery, byte[] body) {
        HttpResponse<byte[]> response = send(method, rawPath, rawQuery == null ? "" : rawQuery, body, body.length > 0);
        return new Answer(
                response.statusCode(),
                response.body(),
                response.headers().firstValue("content-type").orElse("application/json"));
    }

    private HttpResponse<byte[]> send(String method, String path, String rawQuery, byte[] bytes, boolean json) {
        String base = endpoint.toString().endsWith("/")
                ? endpoint.toString().substring(0, endpoint.toString().length() - 1)
                : endpoint.toString();
        URI uri = URI.create(base + path + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
        boolean idempotent = !method.equals("POST");
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                response = http.send(signed(method, uri, bytes, json), HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException e) {
                if (attempt < ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                throw new CliException(
                        ExitCodes.UNAVAILABLE, "cannot connect to the API at " + endpoint + ": " + describe(e));
            } catch (HttpTimeoutException e) {
                if (idempotent && attempt < ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                throw new CliException(ExitCodes.UNAVAILABLE, method + " " + path + " timed out");
            } catch (IOException e) {
                if (idempotent && attempt < ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                throw new CliException(ExitCodes.UNAVAILABLE, method + " " + path + " failed: " + describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.INTERRUPTED, "interrupted");
            }
            answered.incrementAndGet();
            int status = response.statusCode();
            if (debug != null) {
                debug.println("[debug] " + method + " " + uri + " -> " + status);
            }
            boolean throttled = status == 429 || status == 503;
            if ((throttled || (idempotent && (status == 502 || status == 504))) && attempt < ATTEMPTS) {
                backoff(attempt);
                continue;
            }
            return response;
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep((long) (250 * Math.pow(2, attempt - 1) * (0.5 + Math.random())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.INTERRUPTED, "interrupted");
        }
    }

    private HttpRequest signed(String method, URI uri, byte[] body, boolean json) {
        AwsCredentialsIdentity identity = identity();
        SdkHttpRequest.Builder unsigned =
                SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        if (json) {
            unsigned.putHeader("content-type", "application/json");
        }
        unsigned.putHeader("accept", "application/json");
        SignedRequest signed = AwsV4HttpSigner.create()
                .sign(r -> r.identity(identity)
                        .request(unsigned.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("user-agent", "ota-cli/" + OtaCli.VERSION);
        signed.request().forEachHeader((name, values) -> {
            if (!RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        return request.build();
    }

    private static JsonNode result(String method, String path, int status, byte[] bytes) {
        JsonNode body = null;
        if (bytes.length > 0) {
            try {
                body = JSON.readTree(bytes);
            } catch (IOException e) {
                body = null;
            }
        }
        if (status >= 200 && status < 300) {
            return body;
        }
        String code = body == null ? null : body.path("code").asText(null);
        String message = body == null
                ? new String(bytes, StandardCharsets.UTF_8).trim()
                : body.path("message").asText("");
        if (code == null) {
            code = "HTTP_" + status;
        }
        if (status == 401 || status == 403) {
            throw new ApiException(
                    ExitCodes.CONFIG,
                    status,
                    code,
                    "access denied (" + status + "): " + message
                            + " - check the credentials (--profile), the region (--region), and that the caller may execute-api:Invoke this API");
        }
        if (status >= 500 || status == 429) {
            throw new ApiException(
                    ExitCodes.UNAVAILABLE,
                    status,
                    code,
                    method + " " + path + ": the API failed (" + status + ") " + code + ": " + message);
        }
        throw new ApiException(ExitCodes.FAILED, status, code, code + ": " + message);
    }

    /** PUTs {@code length} bytes from {@code body} to a presigned S3 URL; returns the ETag S3 answered. */
    public String putPresigned(String url, long length, Supplier<InputStream> body, String what) {
        for (int attempt = 1; ; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(15))
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(body), length))
                    .build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt < ATTEMPTS) {
                    backoff(attempt);
                    continue;
                }
                throw new CliException(ExitCodes.UNAVAILABLE, "uploading " + what + " to S3 failed: " + describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.INTERRUPTED, "interrupted");
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return response.headers().firstValue("ETag").orElse(null);
            }
            if ((status >= 500 || status == 429) && attempt < ATTEMPTS) {
                backoff(attempt);
                continue;
            }
            String s3Code = between(response.body(), "<Code>", "</Code>");
            String s3Message = between(response.body(), "<Message>", "</Message>");
            throw new CliException(
                    status >= 500 ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED,
                    "S3 refused " + what + " (" + status + ")"
                            + (s3Code == null ? "" : ": " + s3Code) + (s3Message == null ? "" : " - " + s3Message)
                            + (status == 403 ? " (the presigned URL may have expired; start the upload again)" : ""));
        }
    }

    private static String between(String text, String open, String close) {
        int a = text == null ? -1 : text.indexOf(open);
        int b = a < 0 ? -1 : text.indexOf(close, a);
        return a < 0 || b < 0 ? null : text.substring(a + open.length(), b);
    }
}
