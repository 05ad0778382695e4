package dev.ota.local.standin;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Stand-in for a CloudFront distribution whose default behaviour trusts one key group and reads a
 * private S3 origin through Origin Access Control. It serves GET and HEAD of
 * {@code /{key}?Expires=..&Signature=..&Key-Pair-Id=..}: a canned-policy signed URL, checked as
 * CloudFront checks it (the key pair id, the expiry, an RSA-SHA1 signature over the canned policy
 * of the URL as requested) with the public key the template gives the distribution. Anything else
 * is 403 with CloudFront's XML body. Objects, Range included, come from the S3 stand-in.
 *
 * <p>Header names are written exactly as CloudFront writes them ({@code Content-Length},
 * {@code Content-Range}, {@code X-Cache}, ...): Tencent's C SDK matches them case-sensitively.
 * Where it can, it listens on port 80 of a free loopback address, so its URLs carry no port, as a
 * {@code *.cloudfront.net} URL carries none.
 */
public final class CloudFrontEndpoint implements AutoCloseable {

    private final URI s3Endpoint;
    private final String bucket;
    private final String keyPairId;
    private final PublicKey publicKey;
    private final Clock clock;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong denied = new AtomicLong();
    private final AtomicLong bytesServed = new AtomicLong();
    private final DownloadCuts cuts = new DownloadCuts();
    private S3Client s3;
    private Server server;
    private String authority;

    /**
     * @param publicKeyPem the distribution's trusted public key ({@code -----BEGIN PUBLIC KEY-----})
     * @param keyPairId    its id, which signed URLs must name
     */
    public CloudFrontEndpoint(URI s3Endpoint, String bucket, String keyPairId, String publicKeyPem, Clock clock) {
        this.s3Endpoint = s3Endpoint;
        this.bucket = bucket;
        this.keyPairId = keyPairId;
        this.publicKey = publicKey(publicKeyPem);
        this.clock = clock;
    }

    static PublicKey publicKey(String pem) {
        String body = pem.replace("-----BEGIN PUBLIC KEY-----", "")
                .replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an RSA public key in PEM: " + e.getMessage(), e);
        }
    }

    /**
     * Starts listening: on port 80 of a random 127.x.y.z address when {@code port} is 80 (falls back
     * to a free port on 127.0.0.1 where port 80 may not be bound), else on 127.0.0.1:{@code port}
     * (0 for a free port).
     */
    public synchronized CloudFrontEndpoint start(int port) {
        if (server != null) {
            return this;
        }
        s3 = StandInClients.s3(s3Endpoint);
        if (port == 80) {
            for (int tries = 0; tries < 5 && server == null; tries++) {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                String host = "127." + r.nextInt(1, 255) + "." + r.nextInt(0, 256) + "." + r.nextInt(1, 255);
                tryStart(host, 80);
            }
        }
        if (server == null) {
            if (!tryStart("127.0.0.1", port == 80 ? 0 : port)) {
                throw new IllegalStateException("CloudFront stand-in cannot listen on 127.0.0.1:" + port);
            }
        }
        return this;
    }

    private boolean tryStart(String host, int port) {
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        Server candidate = new Server();
        ServerConnector connector = new ServerConnector(candidate, new HttpConnectionFactory(config));
        connector.setHost(host);
        connector.setPort(port);
        candidate.addConnector(connector);
        // Handler.Abstract is a blocking handler: Jetty runs it on its pool, where the origin read may block.
        candidate.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback);
                return true;
            }
        });
        try {
            candidate.start();
        } catch (BindException e) {
            stopQuietly(candidate);
            return false;
        } catch (Exception e) {
            stopQuietly(candidate);
            if (e.getCause() instanceof BindException || e instanceof IOException) {
                return false;
            }
            throw new IllegalStateException("CloudFront stand-in: " + e.getMessage(), e);
        }
        server = candidate;
        int bound = connector.getLocalPort();
        authority = host + (bound == 80 ? "" : ":" + bound);
        return true;
    }

    private static void stopQuietly(Server s) {
        try {
            s.stop();
        } catch (Exception ignored) {
            // it never started
        }
    }

    /** {@code host[:port]} as the distribution's DomainName: no port when it is 80. */
    public String domainName() {
        return authority;
    }

    public long requests() {
        return requests.get();
    }

    /** Requests answered 403 for a missing, wrong or expired signature. */
    public long denied() {
        return denied.get();
    }

    public long bytesServed() {
        return bytesServed.get();
    }

    /**
     * The next {@code count} downloads (GETs answered with a body) stop after {@code afterBytes}
     * body bytes: nothing more for {@code stall}, then the connection closes short of its
     * Content-Length, as when a weak network dies mid-transfer. For trying a device's resume.
     */
    public void dropNextDownloads(int count, long afterBytes, Duration stall) {
        cuts.arm(count, afterBytes, stall);
    }

    private void serve(Request request, Response response, Callback callback) {
        requests.incrementAndGet();
        try {
            String method = request.getMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                error(
                        response,
                        callback,
                        403,
                        "MethodNotAllowed",
                        "This distribution is not configured to allow the HTTP request method that was used for this request.");
                return;
            }
            Map<String, String> query = query(request.getHttpURI().getQuery());
            String refusal = refusal(request, query);
            if (refusal != null) {
                denied.incrementAndGet();
                error(response, callback, 403, refusal.startsWith("Missing") ? "MissingKey" : "AccessDenied", refusal);
                return;
            }
            String key = URLDecoder.decode(request.getHttpURI().getPath().substring(1), StandardCharsets.UTF_8);
            String range = request.getHeaders().get(HttpHeader.RANGE);
            ResponseInputStream<GetObjectResponse> object;
            try {
                object = s3.getObject(b -> b.bucket(bucket).key(key).range(range));
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    error(response, callback, 416, "InvalidRange", "The requested range is not satisfiable");
                } else {
                    // The origin refuses a key it does not have (no s3:ListBucket for CloudFront): 403.
                    error(
                            response,
                            callback,
                            e.statusCode() == 404 ? 403 : e.statusCode(),
                            "AccessDenied",
                            "Access Denied");
                }
                return;
            }
            try (object) {
                GetObjectResponse meta = object.response();
                response.setStatus(meta.contentRange() != null ? 206 : 200);
                var headers = response.getHeaders();
                headers.put(
                        HttpHeader.CONTENT_TYPE,
                        meta.contentType() == null ? "binary/octet-stream" : meta.contentType());
                headers.put(HttpHeader.CONTENT_LENGTH, meta.contentLength());
                headers.put(HttpHeader.CONNECTION, "keep-alive");
                if (meta.contentRange() != null) {
                    headers.put(HttpHeader.CONTENT_RANGE, meta.contentRange());
                }
                if (meta.lastModified() != null) {
                    headers.put(
                            HttpHeader.LAST_MODIFIED,
                            DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                    meta.lastModified().atZone(ZoneOffset.UTC)));
                }
                if (meta.eTag() != null) {
                    headers.put(HttpHeader.ETAG, meta.eTag());
                }
                headers.put(HttpHeader.ACCEPT_RANGES, "bytes");
                headers.put(HttpHeader.SERVER, "AmazonS3");
                headers.put("X-Cache", "Miss from cloudfront");
                headers.put("Via", "1.1 local.cloudfront.net (CloudFront)");
                headers.put("X-Amz-Cf-Pop", "LOCAL1-C1");
                if (method.equals("HEAD")) {
                    callback.succeeded();
                    return;
                }
                OutputStream out = Content.Sink.asOutputStream(response);
                // A cut leaves the stream open: the failed callback aborts the connection short of its length.
                cuts.copy(object, out, bytesServed);
                out.close();
                callback.succeeded();
            }
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
        }
    }

    /** Why CloudFront refuses the request, or null: the canned-policy checks of a trusted key group. */
    private String refusal(Request request, Map<String, String> query) {
        String expires = query.get("Expires");
        String signature = query.get("Signature");
        String id = query.get("Key-Pair-Id");
        if (expires == null || signature == null || id == null) {
            return "Missing Key-Pair-Id query parameter or cookie value";
        }
        if (!keyPairId.equals(id)) {
            return "Access denied";
        }
        long expiresAt;
        try {
            expiresAt = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return "Access denied";
        }
        if (clock.instant().getEpochSecond() >= expiresAt) {
            return "Access denied";
        }
        String scheme = request.getHttpURI().getScheme() == null
                ? "http"
                : request.getHttpURI().getScheme();
        String host = request.getHeaders().get(HttpHeader.HOST);
        String resource = scheme + "://" + host + request.getHttpURI().getPath();
        String policy = "{\"Statement\":[{\"Resource\":\"" + resource
                + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + expiresAt + "}}}]}";
        try {
            byte[] sig = Base64.getDecoder()
                    .decode(signature.replace('-', '+').replace('_', '=').replace('~', '/'));
            Signature verifier = Signature.getInstance("SHA1withRSA");
            verifier.initVerify(publicKey);
            verifier.update(policy.getBytes(StandardCharsets.UTF_8));
            return verifier.verify(sig) ? null : "Access denied";
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return "Access denied";
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(
                    URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    private static void error(Response response, Callback callback, int status, String code, String message) {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                        + "</Message></Error>")
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/xml");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.getHeaders().put(HttpHeader.SERVER, "CloudFront");
        response.getHeaders().put("X-Cache", "Error from cloudfront");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            stopQuietly(server);
            server = null;
        }
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }
}
