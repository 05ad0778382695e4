package dev.ota.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ota.local.rules.RuleRouter;
import dev.ota.local.standin.LoopbackHttp;
import dev.ota.local.template.SamTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The local stand-in for API Gateway HTTP APIs: serves every {@code HttpApi} event route of
 * template.yaml over real HTTP, turns each request into a payload-2.0 event, invokes the route's
 * function in-process, and turns its response back into HTTP.
 *
 * <p>Routes with IAM authorization need a SigV4 {@code Authorization} header, as on AWS (403
 * {@code Forbidden} without one). The real check is IAM's; here, a request signed with the local
 * key pair is also verified (same canonical request, same signature, service {@code execute-api},
 * the stack's region, a timestamp within 15 minutes), so a client that signs wrongly fails locally
 * too. Other keys pass on presence alone.
 */
public final class LocalHttpApi implements AutoCloseable {

    /** API Gateway HTTP APIs take at most 10 MB of payload. */
    public static final int MAX_PAYLOAD = 10 * 1024 * 1024;

    private static final String HOST = "127.0.0.1";
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/,\\s]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request,\\s*SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter REQUEST_TIME = DateTimeFormatter.ofPattern(
                    "dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private record Bound(SamTemplate.HttpRoute route, RuleRouter.Invocable function) {}

    private final ObjectMapper json = new ObjectMapper();
    private final List<Bound> routes = new ArrayList<>();
    private final AwsCredentialsIdentity localCredentials;
    private final String region;
    private final int requestedPort;
    private final AtomicLong requests = new AtomicLong();
    private HttpServer server;
    private ExecutorService executor;

    public LocalHttpApi(AwsCredentialsIdentity localCredentials, String region, int port) {
        this.localCredentials = localCredentials;
        this.region = region;
        this.requestedPort = port;
    }

    public LocalHttpApi route(SamTemplate.HttpRoute route, RuleRouter.Invocable function) {
        routes.add(new Bound(route, function));
        return this;
    }

    public synchronized LocalHttpApi start() {
        if (server != null) {
            return this;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(HOST, requestedPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("local HTTP API failed to bind", e);
        }
        executor = Executors.newFixedThreadPool(4, LoopbackHttp.daemonThreads("local-http-api"));
        LoopbackHttp.serve(server, executor, this::handle);
        return this;
    }

    /** The API's base URL, as the stack output ManagementApiUrl names it on AWS. */
    public URI endpoint() {
        return LoopbackHttp.endpoint(server);
    }

    public long requests() {
        return requests.get();
    }

    public List<SamTemplate.HttpRoute> routes() {
        return routes.stream().map(Bound::route).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_PAYLOAD + 1);
            }
            if (body.length > MAX_PAYLOAD) {
                respond(
                        exchange,
                        413,
                        Map.of("content-type", "application/json"),
                        "{\"message\":\"Request Entity Too Large\"}".getBytes());
                return;
            }
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            URI uri = exchange.getRequestURI();
            String rawPath = uri.getRawPath();
            Bound bound = null;
            Map<String, String> params = null;
            for (Bound candidate : routes) {
                if (!candidate.route().method().equals(method)
                        && !candidate.route().method().equals("ANY")) {
                    continue;
                }
                params = match(candidate.route().path(), rawPath);
                if (params != null) {
                    bound = candidate;
                    break;
                }
            }
            if (bound == null) {
                respond(
                        exchange,
                        404,
                        Map.of("content-type", "application/json"),
                        "{\"message\":\"Not Found\"}".getBytes());
                return;
            }
            String caller = null;
            if (bound.route().iamAuth()) {
                String refusal = checkSignature(exchange, method, uri, body);
                if (refusal != null) {
                    respond(
                            exchange,
                            403,
                            Map.of("content-type", "application/json"),
                            json.createObjectNode()
                                    .put("message", refusal)
                                    .toString()
                                    .getBytes(StandardCharsets.UTF_8));
                    return;
                }
                Matcher m = AUTHORIZATION.matcher(exchange.getRequestHeaders().getFirst("Authorization"));
                caller = m.find() ? m.group(1) : null;
            }
            byte[] event = json.writeValueAsBytes(event(exchange, bound.route(), params, body, caller));
            byte[] output;
            try {
                output = bound.function().invoke(event);
            } catch (Exception e) {
                respond(
                        exchange,
                        500,
                        Map.of("content-type", "application/json"),
                        "{\"message\":\"Internal Server Error\"}".getBytes());
                return;
            }
            relay(exchange, output);
        } catch (RuntimeException e) {
            respond(
                    exchange,
                    500,
                    Map.of("content-type", "application/json"),
                    "{\"message\":\"Internal Server Error\"}".getBytes());
        }
    }

    /** Path parameters, percent-decoded, if {@code rawPath} fits {@code template}. */
    static Map<String, String> match(String template, String rawPath) {
        String[] t = template.substring(1).split("/", -1);
        String path =
                rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        String[] a = path.substring(1).split("/", -1);
        if (t.length != a.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < t.length; i++) {
            if (t[i].startsWith("{") && t[i].endsWith("}")) {
                if (a[i].isEmpty()) {
                    return null;
                }
                try {
                    params.put(
                            t[i].substring(1, t[i].length() - 1),
                            URLDecoder.decode(a[i].replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    return null;
                }
            } else if (!t[i].equals(a[i])) {
                return null;
            }
        }
        return params;
    }

    /** Null when the request may pass; else API Gateway's message for the 403. */
    private String checkSignature(HttpExchange exchange, String method, URI uri, byte[] body) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || authorization.isBlank()) {
            return "Forbidden";
        }
        Matcher m = AUTHORIZATION.matcher(authorization);
        if (!m.matches()) {
            return "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters (AWS4-HMAC-SHA256)";
        }
        String amzDate = exchange.getRequestHeaders().getFirst("X-Amz-Date");
        if (amzDate == null) {
            return "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            return "X-Amz-Date is not yyyyMMdd'T'HHmmss'Z'";
        }
        if (Duration.between(signedAt, Instant.now()).abs().compareTo(Duration.ofMinutes(15)) > 0) {
            return "Signature expired: " + amzDate + " is more than 15 minutes from now";
        }
        if (!m.group(1).equals(localCredentials.accessKeyId())) {
            return null; // a real key: only IAM could check it
        }
        if (!m.group(3).equals(region) || !m.group(4).equals("execute-api")) {
            return "Credential should be scoped to a valid region and service 'execute-api', not '" + m.group(3) + "/"
                    + m.group(4) + "'";
        }
        List<String> signedHeaders = List.of(m.group(5).split(";"));
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .uri(URI.create("http://" + exchange.getRequestHeaders().getFirst("Host") + uri.getRawPath()
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
        for (String name : signedHeaders) {
            List<String> values = exchange.getRequestHeaders().get(name);
            if (values == null) {
                return "SignedHeaders names '" + name + "', which the request does not carry";
            }
            request.putHeader(name, values);
        }
        SignedRequest resigned = AwsV4HttpSigner.create()
                .sign(r -> r.identity(localCredentials)
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "execute-api")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
        Matcher expected = AUTHORIZATION.matcher(
                resigned.request().firstMatchingHeader("Authorization").orElse(""));
        if (!expected.matches() || !expected.group(6).equals(m.group(6))) {
            return "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.";
        }
        return null;
    }

    private ObjectNode event(
            HttpExchange exchange,
            SamTemplate.HttpRoute route,
            Map<String, String> params,
            byte[] body,
            String caller) {
        URI uri = exchange.getRequestURI();
        Instant now = Instant.now();
        ObjectNode e = json.createObjectNode();
        e.put("version", "2.0");
        e.put("routeKey", route.routeKey());
        e.put("rawPath", uri.getRawPath());
        e.put("rawQueryString", uri.getRawQuery() == null ? "" : uri.getRawQuery());
        ObjectNode headers = e.putObject("headers");
        String contentType = null;
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("cookie")) {
                h.getValue().forEach(v -> {
                    for (String c : v.split(";\\s*")) {
                        if (!e.has("cookies")) {
                            e.putArray("cookies");
                        }
                        ((ArrayNode) e.get("cookies")).add(c);
                    }
                });
                continue;
            }
            headers.put(name, String.join(",", h.getValue()));
            if (name.equals("content-type")) {
                contentType = h.getValue().get(0);
            }
        }
        if (uri.getRawQuery() != null) {
            ObjectNode query = e.putObject("queryStringParameters");
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                try {
                    String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String value = URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
                    query.put(name, query.has(name) ? query.get(name).asText() + "," + value : value);
                } catch (IllegalArgumentException ignored) {
                    // API Gateway passes rawQueryString on; the function decides
                }
            }
        }
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("accountId", "000000000000");
        ctx.put("apiId", "local");
        if (caller != null) {
            ctx.putObject("authorizer")
                    .putObject("iam")
                    .put("accessKey", caller)
                    .put("accountId", "000000000000")
                    .put("callerId", caller)
                    .put("userArn", "arn:aws:iam::000000000000:user/local")
                    .put("userId", caller);
        }
        ctx.put("domainName", exchange.getRequestHeaders().getFirst("Host"));
        ctx.put("domainPrefix", "local");
        ctx.putObject("http")
                .put("method", exchange.getRequestMethod().toUpperCase(Locale.ROOT))
                .put("path", uri.getRawPath())
                .put("protocol", exchange.getProtocol())
                .put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress())
                .put("userAgent", exchange.getRequestHeaders().getFirst("User-Agent"));
        ctx.put("requestId", UUID.randomUUID().toString());
        ctx.put("routeKey", route.routeKey());
        ctx.put("stage", "$default");
        ctx.put("time", REQUEST_TIME.format(now));
        ctx.put("timeEpoch", now.toEpochMilli());
        if (!params.isEmpty()) {
            ObjectNode p = e.putObject("pathParameters");
            params.forEach(p::put);
        }
        if (body.length > 0) {
            boolean text = contentType != null && isText(contentType);
            e.put(
                    "body",
                    text
                            ? new String(body, StandardCharsets.UTF_8)
                            : Base64.getEncoder().encodeToString(body));
            e.put("isBase64Encoded", !text);
        } else {
            e.put("isBase64Encoded", false);
        }
        return e;
    }

    private static boolean isText(String contentType) {
        String media = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        return media.startsWith("text/")
                || media.equals("application/json")
                || media.endsWith("+json")
                || media.equals("application/xml")
                || media.equals("application/x-www-form-urlencoded")
                || media.equals("application/javascript");
    }

    /** A payload-2.0 response: {statusCode, headers, body, isBase64Encoded, cookies}, or any JSON (then a 200 with it as body). */
    private void relay(HttpExchange exchange, byte[] output) throws IOException {
        JsonNode response;
        try {
            response = json.readTree(output);
        } catch (IOException e) {
            response = null;
        }
        if (response == null || !response.isObject() || !response.has("statusCode")) {
            respond(exchange, 200, Map.of("content-type", "application/json"), output);
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        response.path("headers")
                .fields()
                .forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        byte[] body = new byte[0];
        JsonNode b = response.get("body");
        if (b != null && !b.isNull()) {
            body = response.path("isBase64Encoded").asBoolean(false)
                    ? Base64.getDecoder().decode(b.asText())
                    : b.asText().getBytes(StandardCharsets.UTF_8);
        }
        for (JsonNode cookie : response.path("cookies")) {
            exchange.getResponseHeaders().add("Set-Cookie", cookie.asText());
        }
        respond(exchange, response.path("statusCode").asInt(500), headers, body);
    }

    private static void respond(HttpExchange exchange, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.getResponseHeaders().set("apigw-requestid", UUID.randomUUID().toString());
        if (status == 204 || status == 304 || body.length == 0) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
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
