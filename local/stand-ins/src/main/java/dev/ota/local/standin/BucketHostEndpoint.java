package dev.ota.local.standin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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
    private static final List<String> REQUEST_HEADERS =
            List.of("Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range");
    private static final List<String> RESPONSE_HEADERS = List.of(
            "Content-Type",
            "Content-Range",
            "Accept-Ranges",
            "ETag",
            "Last-Modified",
            "x-amz-request-id",
            "x-amz-version-id");

    static {
        // Headers and body are written separately; without TCP_NODELAY each answer waits for a delayed ACK.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final URI s3Endpoint;
    private final String bucket;
    private final int requestedPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    /** Weak-network fault for testing a device's resume: the next GETs that get a body are cut short. */
    private final AtomicReference<Drop> drops = new AtomicReference<>();

    private record Drop(int remaining, long afterBytes, long stallMillis) {}

    private volatile Authorizer authorizer = request -> null;
    private final AtomicLong refused = new AtomicLong();
    private HttpServer server;
    private ExecutorService executor;

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
        try {
            server = HttpServer.create(new InetSocketAddress(HOST, requestedPort), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "bucket endpoint for " + bucket + " cannot bind " + HOST + ":" + requestedPort, e);
        }
        executor = Executors.newCachedThreadPool(LoopbackHttp.daemonThreads("bucket-host-" + bucket));
        LoopbackHttp.serve(server, executor, this::relay);
        return this;
    }

    public URI endpoint() {
        return LoopbackHttp.endpoint(server);
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
        drops.set(count > 0 ? new Drop(count, afterBytes, stall.toMillis()) : null);
    }

    private Drop takeDrop() {
        while (true) {
            Drop current = drops.get();
            if (current == null) {
                return null;
            }
            Drop next = current.remaining() > 1
                    ? new Drop(current.remaining() - 1, current.afterBytes(), current.stallMillis())
                    : null;
            if (drops.compareAndSet(current, next)) {
                return current;
            }
        }
    }

    private void relay(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                byte[] body = "<Error><Code>MethodNotAllowed</Code></Error>".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(405, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            URI incoming = exchange.getRequestURI();
            String target = s3Endpoint + "/" + bucket + incoming.getRawPath()
                    + (incoming.getRawQuery() == null ? "" : "?" + incoming.getRawQuery());
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target))
                    .timeout(Duration.ofSeconds(60))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            for (String name : REQUEST_HEADERS) {
                String value = exchange.getRequestHeaders().getFirst(name);
                if (value != null) {
                    request.header(name, value);
                }
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            int status = response.statusCode();
            // s3proxy authenticated the request (a bad or expired signature is its own 403, a malformed one 400): now
            // authorize it.
            if (status != 403 && status != 400 && status < 500) {
                String refusal =
                        authorizer.refusal(new Request(method, bucket, key(incoming), query(incoming), status != 404));
                if (refusal != null) {
                    response.body().close();
                    refused.incrementAndGet();
                    accessDenied(exchange, method, refusal);
                    return;
                }
            }
            for (String name : RESPONSE_HEADERS) {
                response.headers()
                        .firstValue(name)
                        .ifPresent(v -> exchange.getResponseHeaders().set(name, v));
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            try (InputStream body = response.body()) {
                if (method.equals("HEAD")) {
                    if (length >= 0) {
                        exchange.getResponseHeaders().set("Content-Length", String.valueOf(length));
                    }
                    exchange.sendResponseHeaders(response.statusCode(), -1);
                    return;
                }
                exchange.sendResponseHeaders(response.statusCode(), length > 0 ? length : length == 0 ? -1 : 0);
                Drop drop = length > 0 && response.statusCode() / 100 == 2 ? takeDrop() : null;
                long cutAfter = drop == null ? -1 : drop.afterBytes();
                OutputStream out = exchange.getResponseBody();
                byte[] buffer = new byte[16 * 1024];
                long sent = 0;
                for (int n; (n = body.read(buffer)) > 0; ) {
                    if (cutAfter >= 0 && sent + n > cutAfter) {
                        int part = (int) (cutAfter - sent);
                        out.write(buffer, 0, part);
                        out.flush();
                        bytesServed.addAndGet(part);
                        stall(drop.stallMillis());
                        // Closing short of Content-Length makes the JDK server drop the connection.
                        throw new IOException("dropped after " + cutAfter + " bytes (fault injected)");
                    }
                    out.write(buffer, 0, n);
                    sent += n;
                    bytesServed.addAndGet(n);
                }
            }
        } catch (IOException e) {
            // the client went away mid-download (the demo's "connection drops" do exactly that)
        }
    }

    /** S3's answer to a request IAM refuses: 403 and an {@code AccessDenied} error document. */
    private static void accessDenied(HttpExchange exchange, String method, String message) throws IOException {
        String requestId = Long.toHexString(System.nanoTime()).toUpperCase(Locale.ROOT);
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>"
                        + xml(message) + "</Message><RequestId>" + requestId
                        + "</RequestId><HostId>local</HostId></Error>")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        exchange.getResponseHeaders().set("x-amz-request-id", requestId);
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(403, -1);
            return;
        }
        exchange.sendResponseHeaders(403, body.length);
        exchange.getResponseBody().write(body);
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /** The key a virtual-hosted-style path names: the whole path, without its leading '/', decoded. */
    private static String key(URI incoming) {
        String path = incoming.getRawPath();
        return decode(path.startsWith("/") ? path.substring(1) : path);
    }

    private static Map<String, String> query(URI incoming) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = incoming.getRawQuery();
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

    private static void stall(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }
}
