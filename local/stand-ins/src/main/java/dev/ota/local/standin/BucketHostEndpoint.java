package dev.ota.local.standin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Stand-in for one bucket's virtual-hosted-style endpoint ({@code https://{bucket}.s3.{region}.amazonaws.com}),
 * where a key is the whole URL path: {@code GET /{key}?X-Amz-...}. On a laptop no DNS name leads to
 * {@code {bucket}.something}, so the bucket gets a port of its own instead.
 *
 * <p>It relays GET and HEAD, with the query string and the Range and conditional headers, to
 * s3proxy's path-style {@code /{bucket}/{key}} and streams the answer back. The presigned URLs it
 * serves are signed for that s3proxy request (see {@link #served}), so s3proxy still
 * checks every signature and expiry: a tampered or expired URL gets its 403 from s3proxy.
 *
 * <p>Why it exists: Tencent's Python device SDK can only download from a URL whose path is a
 * single segment (it takes its Host header from the text before the URL's last '/'), and a
 * path-style URL always has the bucket as a first segment.
 *
 * <p>S3 also checks that the URL's signer may read the object. s3proxy knows one key pair and no
 * policies, so that check is an {@link Authorizer} the caller supplies: every request s3proxy
 * accepted (its signature and expiry are good) is put to it, and a refusal is answered as S3 answers
 * it, 403 with an {@code AccessDenied} XML body. Without one, everything s3proxy accepts is served.
 *
 * <p>Header names are written exactly as S3 writes them ({@code Content-Length},
 * {@code Content-Range}, {@code ETag}, {@code Last-Modified}, {@code Accept-Ranges},
 * {@code x-amz-request-id}): Tencent's C SDK matches them case-sensitively, so the server is Jetty,
 * which writes a name as given, not the JDK's, which writes {@code Content-length}.
 */
public final class BucketHostEndpoint implements AutoCloseable {

    /**
     * Decides whether the signer of a presigned request may have what it asks for (IAM, on AWS).
     * Asked after s3proxy accepted the signature, so an expired or tampered URL keeps its own 403.
     */
    @FunctionalInterface
    public interface Authorizer {
        /** @return null to serve the request, or the message of its {@code AccessDenied} */
        String refusal(Request request);
    }

    /**
     * @param method         GET or HEAD
     * @param key            the object key, decoded
     * @param query          the query parameters, decoded ({@code X-Amz-Credential}, {@code X-Amz-Security-Token}, ...)
     * @param objectExists   false when s3proxy answered 404 (S3 then answers 403 unless the signer may also list the bucket)
     */
    public record Request(String method, String bucket, String key, Map<String, String> query, boolean objectExists) {}

    private static final String HOST = "127.0.0.1";
    private static final List<HttpHeader> REQUEST_HEADERS = List.of(
            HttpHeader.RANGE,
            HttpHeader.IF_MATCH,
            HttpHeader.IF_NONE_MATCH,
            HttpHeader.IF_MODIFIED_SINCE,
            HttpHeader.IF_UNMODIFIED_SINCE,
            HttpHeader.IF_RANGE);
    /** Relayed from s3proxy under the names S3 writes (its own casing may differ; the JDK client's lookup ignores case). */
    private static final List<String> RESPONSE_HEADERS = List.of(
            HttpHeader.CONTENT_TYPE.asString(),
            HttpHeader.CONTENT_RANGE.asString(),
            HttpHeader.ACCEPT_RANGES.asString(),
            HttpHeader.ETAG.asString(),
            HttpHeader.LAST_MODIFIED.asString(),
            "x-amz-request-id",
            "x-amz-version-id");

    private final URI s3Endpoint;
    private final String bucket;
    private final int requestedPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final DownloadCuts cuts = new DownloadCuts();
    private volatile Authorizer authorizer = request -> null;
    private final AtomicLong refused = new AtomicLong();
    private Server server;
    private URI endpoint;

    /**
     * A path-style URL {@code {s3}/{bucket}/{key}?...} as this endpoint serves it,
     * {@code {bucketHost}/{key}?...}: the shape of a virtual-hosted URL on AWS. The port is left out
     * where it is the scheme's default, as a URL on AWS has none.
     */
    public static URI served(URI pathStyle, String bucket, URI bucketHost) {
        String prefix = "/" + bucket + "/";
        String path = pathStyle.getRawPath();
        if (path == null || !path.startsWith(prefix)) {
            return pathStyle;
        }
        String keyPath = path.substring(prefix.length() - 1);
        int port = bucketHost.getPort();
        boolean defaultPort = port == -1
                || ("http".equals(bucketHost.getScheme()) && port == 80)
                || ("https".equals(bucketHost.getScheme()) && port == 443);
        String authority = bucketHost.getHost() + (defaultPort ? "" : ":" + port);
        String query = pathStyle.getRawQuery() == null ? "" : "?" + pathStyle.getRawQuery();
        return URI.create(bucketHost.getScheme() + "://" + authority + keyPath + query);
    }

    /** @param port 0 for a free port */
    public BucketHostEndpoint(URI s3Endpoint, String bucket, int port) {
        this.s3Endpoint = s3Endpoint;
        this.bucket = bucket;
        this.requestedPort = port;
    }

    public synchronized BucketHostEndpoint start() {
        if (server != null) {
            return this;
        }
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("bucket-host-" + bucket);
        threads.setDaemon(true);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        Server candidate = new Server(threads);
        ServerConnector connector = new ServerConnector(candidate, new HttpConnectionFactory(config));
        connector.setHost(HOST);
        connector.setPort(requestedPort);
        candidate.addConnector(connector);
        // Handler.Abstract is a blocking handler: Jetty runs it on its pool, where the relay may block.
        candidate.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
                relay(request, response, callback);
                return true;
            }
        });
        try {
            candidate.start();
        } catch (Exception e) {
            try {
                candidate.stop();
            } catch (Exception ignored) {
                // it never started
            }
            throw new IllegalStateException(
                    "bucket endpoint for " + bucket + " cannot bind " + HOST + ":" + requestedPort, e);
        }
        server = candidate;
        endpoint = URI.create("http://" + HOST + ":" + connector.getLocalPort());
        return this;
    }

    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint().getPort();
    }

    public String bucket() {
        return bucket;
    }

    /** Body bytes sent to clients since start: what devices really downloaded. */
    public long bytesServed() {
        return bytesServed.get();
    }

    public long requests() {
        return requests.get();
    }

    /** Who decides whether a signer may read what its URL asks for (see {@link Authorizer}); null serves all. */
    public BucketHostEndpoint authorizer(Authorizer authorizer) {
        this.authorizer = authorizer == null ? request -> null : authorizer;
        return this;
    }

    /** Requests refused by the {@link Authorizer} since start. */
    public long refused() {
        return refused.get();
    }

    /**
     * The next {@code count} downloads (GETs answered with a body) stop after {@code afterBytes}
     * body bytes, as when a weak network dies mid-transfer: nothing more arrives for
     * {@code stall}, then the connection closes short of its Content-Length. A device sees its read
     * time out (a stall longer than its timeout) or the body end early. For trying a device's
     * resume (docs/local.md).
     */
    public void dropNextDownloads(int count, long afterBytes, Duration stall) {
        cuts.arm(count, afterBytes, stall);
    }

    private void relay(org.eclipse.jetty.server.Request exchange, Response response, Callback callback) {
        requests.incrementAndGet();
        try {
            String method = exchange.getMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                byte[] body = "<Error><Code>MethodNotAllowed</Code></Error>".getBytes(StandardCharsets.UTF_8);
                response.setStatus(405);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/xml");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return;
            }
            String rawPath = exchange.getHttpURI().getPath();
            String rawQuery = exchange.getHttpURI().getQuery();
            String target = s3Endpoint + "/" + bucket + rawPath + (rawQuery == null ? "" : "?" + rawQuery);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target))
                    .timeout(Duration.ofSeconds(60))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            for (HttpHeader name : REQUEST_HEADERS) {
                String value = exchange.getHeaders().get(name);
                if (value != null) {
                    request.header(name.asString(), value);
                }
            }
            HttpResponse<InputStream> origin;
            try {
                origin = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                response.setStatus(503);
                callback.succeeded();
                return;
            }
            int status = origin.statusCode();
            // s3proxy authenticated the request (a bad or expired signature is its own 403, a malformed one 400): now
            // authorize it.
            if (status != 403 && status != 400 && status < 500) {
                String refusal =
                        authorizer.refusal(new Request(method, bucket, key(rawPath), query(rawQuery), status != 404));
                if (refusal != null) {
                    origin.body().close();
                    refused.incrementAndGet();
                    accessDenied(response, callback, method, refusal);
                    return;
                }
            }
            response.setStatus(status);
            for (String name : RESPONSE_HEADERS) {
                origin.headers()
                        .firstValue(name)
                        .ifPresent(v -> response.getHeaders().put(name, v));
            }
            if (status / 100 == 2) {
                response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
            }
            response.getHeaders().put(HttpHeader.SERVER, "AmazonS3");
            long length = origin.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (length >= 0) {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
            }
            try (InputStream body = origin.body()) {
                if (method.equals("HEAD") || length == 0) {
                    callback.succeeded();
                    return;
                }
                OutputStream out = Content.Sink.asOutputStream(response);
                if (status / 100 == 2 && length > 0) {
                    cuts.copy(body, out, bytesServed);
                } else {
                    body.transferTo(out);
                }
                out.close();
            }
            callback.succeeded();
        } catch (IOException | RuntimeException e) {
            // A cut (injected) or a client that went away mid-download: Jetty aborts the connection.
            callback.failed(e);
        }
    }

    /** S3's answer to a request IAM refuses: 403 and an {@code AccessDenied} error document. */
    private static void accessDenied(Response response, Callback callback, String method, String message) {
        String requestId = Long.toHexString(System.nanoTime()).toUpperCase(Locale.ROOT);
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>"
                        + xml(message) + "</Message><RequestId>" + requestId
                        + "</RequestId><HostId>local</HostId></Error>")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(403);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/xml");
        response.getHeaders().put("x-amz-request-id", requestId);
        if (method.equals("HEAD")) {
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /** The key a virtual-hosted-style path names: the whole path, without its leading '/', decoded. */
    private static String key(String path) {
        return decode(path.startsWith("/") ? path.substring(1) : path);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return params;
    }

    /** Percent-decoding as S3 reads a URL ('+' stays '+': SigV4 URLs encode a space as %20). */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // stopping is best effort
            }
            server = null;
        }
    }
}
