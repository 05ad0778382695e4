package dev.ota.cli.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ota.cli.Api;
import dev.ota.cli.ApiException;
import dev.ota.cli.CliException;
import dev.ota.cli.ExitCodes;
import dev.ota.cli.ProgressBar;
import dev.ota.cli.firmware.FirmwareUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The console's web server, on 127.0.0.1 only: the static pages from the classpath, {@code /api/...}
 * forwarded to the management API through the CLI's {@link Api} (the same SigV4 signing), and
 * {@code /upload} running the CLI's firmware upload on a file the page sends.
 *
 * <p>Only the browser that opened the session URL may call the API: the URL's token becomes a
 * SameSite=Strict cookie, and calls without it, or with another Host (DNS rebinding), are refused
 * before anything is signed. Other web pages open in the same browser can therefore not act as the
 * operator.
 */
public final class ConsoleServer implements AutoCloseable {

    private static final String COOKIE = "ota_console";
    private static final long MAX_UPLOAD = 1L << 30;
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "md", "text/plain; charset=utf-8");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<Api> api;
    private final String token;
    private final String host;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, UploadProgress> uploads = new ConcurrentHashMap<>();

    private ConsoleServer(HttpServer server, ExecutorService executor, Supplier<Api> api, String token) {
        this.server = server;
        this.executor = executor;
        this.api = api;
        this.token = token;
        this.host = "127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0: a free port).
     *
     * @param api the API client, resolved on the first call (so a console without an endpoint or
     *     credentials still serves its pages, which then say what is missing)
     */
    public static ConsoleServer start(Supplier<Api> api, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "ota-console");
            t.setDaemon(true);
            return t;
        });
        ConsoleServer console =
                new ConsoleServer(http, executor, api, HexFormat.of().formatHex(random));
        http.setExecutor(executor);
        http.createContext("/", console::handle);
        http.start();
        return console;
    }

    /** The URL that opens a session (it carries the token). */
    public URI sessionUrl() {
        return URI.create("http://" + host + "/?session=" + token);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        stopped.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (!host.equals(exchange.getRequestHeaders().getFirst("Host"))) {
                error(exchange, 403, "CONSOLE_HOST", "the console answers only at http://" + host);
            } else if (path.startsWith("/api/")) {
                if (session(exchange)) {
                    forward(exchange, path.substring("/api".length()));
                }
            } else if (path.equals("/console/session")) {
                if (session(exchange)) {
                    describeSession(exchange);
                }
            } else if (path.startsWith("/console/upload/")) {
                if (session(exchange)) {
                    upload(exchange, path.substring("/console/upload/".length()));
                }
            } else if (exchange.getRequestMethod().equals("GET")) {
                serveStatic(exchange, path);
            } else {
                error(exchange, 405, "METHOD_NOT_ALLOWED", exchange.getRequestMethod() + " " + path);
            }
        } catch (RuntimeException e) {
            // The exchange may be half answered; the page shows the failed call.
            System.err.println("ota console: " + e);
        }
    }

    private boolean session(HttpExchange exchange) throws IOException {
        String cookies = exchange.getRequestHeaders().getFirst("Cookie");
        if (cookies != null) {
            for (String cookie : cookies.split(";")) {
                String[] kv = cookie.trim().split("=", 2);
                if (kv.length == 2
                        && kv[0].equals(COOKIE)
                        && MessageDigest.isEqual(kv[1].getBytes(), token.getBytes())) {
                    return true;
                }
            }
        }
        error(
                exchange,
                403,
                "CONSOLE_SESSION",
                "this page has no console session: open the URL `ota console` printed (it carries the session token)");
        return false;
    }

    private void describeSession(HttpExchange exchange) throws IOException {
        ObjectNode session = Api.JSON.createObjectNode().put("apiCalls", 0);
        try {
            Api client = api.get();
            session.put("apiCalls", client.answered());
            session.put("endpoint", client.endpoint().toString()).put("region", client.region());
            String key = client.accessKeyId();
            session.put("credentials", true)
                    .put(
                            "accessKeyId",
                            key.length() > 8 ? key.substring(0, 4) + "…" + key.substring(key.length() - 4) : "…");
        } catch (CliException e) {
            session.put("credentials", false);
            session.set("error", problem(e));
        }
        json(exchange, 200, session);
    }

    private void forward(HttpExchange exchange, String apiPath) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(2 * 1024 * 1024 + 1);
        }
        Api.Answer answer;
        try {
            Api client = api.get();
            answer = client.forward(
                    exchange.getRequestMethod(),
                    apiPath,
                    exchange.getRequestURI().getRawQuery(),
                    body);
        } catch (CliException e) {
            json(exchange, status(e), problem(e));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, answer.status(), answer.body());
    }

    /**
     * {@code POST /console/upload/{id}?productId=..&version=..}: the page's file as the body. Runs the
     * CLI's upload (MD5, reserve, PUT or multipart to S3) and answers the firmware as the API
     * describes it then; {@code GET /console/upload/{id}} tells how far it is.
     */
    private void upload(HttpExchange exchange, String id) throws IOException {
        if (exchange.getRequestMethod().equals("GET")) {
            UploadProgress progress = uploads.get(id);
            if (progress == null) {
                error(exchange, 404, "NOT_FOUND", "no upload " + id);
                return;
            }
            json(exchange, 200, progress.describe());
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            error(exchange, 405, "METHOD_NOT_ALLOWED", exchange.getRequestMethod() + " upload");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String product = query.get("productId");
        String version = query.get("version");
        String name = query.getOrDefault("fileName", "firmware.bin");
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (product == null || version == null || length == null || !id.matches("[A-Za-z0-9-]{1,64}")) {
            error(exchange, 400, "INVALID_REQUEST", "an upload needs productId, version, a file and an id");
            return;
        }
        long size = Long.parseLong(length);
        if (size < 1 || size > MAX_UPLOAD) {
            error(exchange, 400, "INVALID_REQUEST", "the file must have 1 byte to 1 GiB");
            return;
        }
        Api client;
        try {
            client = api.get();
            client.accessKeyId();
        } catch (CliException e) {
            json(exchange, status(e), problem(e));
            return;
        }
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        UploadProgress progress = new UploadProgress(
                new ProgressBar(silent, "md5", size, false, false),
                new ProgressBar(silent, "upload", size, false, false));
        uploads.put(id, progress);
        Path file = Files.createTempFile("ota-console-", ".bin");
        try {
            try (InputStream in = exchange.getRequestBody()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            progress.phase = "md5";
            String md5 = FirmwareUpload.md5(file, progress.md5);
            progress.phase = "upload";
            FirmwareUpload.transfer(
                    client,
                    file,
                    size,
                    md5,
                    product,
                    version,
                    query.get("description"),
                    name,
                    query.containsKey("fileName"),
                    progress.upload);
            progress.phase = "uploaded";
            JsonNode firmware = client.get(Api.path("=firmware", product, version), Map.of());
            json(exchange, 200, firmware);
        } catch (CliException e) {
            progress.phase = "failed";
            json(exchange, status(e), problem(e));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static int status(CliException e) {
        if (e instanceof ApiException a) {
            return a.status();
        }
        return e.exitCode() == ExitCodes.CONFIG ? 401 : 502;
    }

    /** A refusal as the API words its own: {@code {"code", "message"}}. */
    private static ObjectNode problem(CliException e) {
        String code;
        if (e instanceof ApiException a) {
            code = a.code();
        } else if (e.getMessage().startsWith("no AWS credentials")) {
            code = "NO_CREDENTIALS";
        } else if (e.exitCode() == ExitCodes.CONFIG) {
            code = "NOT_CONFIGURED";
        } else {
            code = "API_UNREACHABLE";
        }
        return Api.JSON.createObjectNode().put("code", code).put("message", e.getMessage());
    }

    private void serveStatic(HttpExchange exchange, String path) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (path.equals("/") && query.containsKey("session")) {
            if (MessageDigest.isEqual(query.get("session").getBytes(), token.getBytes())) {
                exchange.getResponseHeaders()
                        .add("Set-Cookie", COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
            }
            exchange.getResponseHeaders().set("Location", "/");
            send(exchange, 303, new byte[0]);
            return;
        }
        String resource = path.equals("/") ? "index.html" : path.substring(1);
        if (resource.contains("..") || !resource.matches("[A-Za-z0-9_./-]+")) {
            error(exchange, 404, "NOT_FOUND", "no such file");
            return;
        }
        byte[] bytes;
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/" + resource)) {
            if (in == null) {
                error(exchange, 404, "NOT_FOUND", "no such file: " + path);
                return;
            }
            bytes = in.readAllBytes();
        }
        String extension = resource.substring(resource.lastIndexOf('.') + 1);
        exchange.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(extension, "application/octet-stream"));
        exchange.getResponseHeaders()
                .set(
                        "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        send(exchange, 200, bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv.length == 2) {
                    query.put(
                            URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                            URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        json(exchange, status, Api.JSON.createObjectNode().put("code", code).put("message", message));
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, status, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** How far one upload is: receiving the file, its MD5, the PUTs to S3. */
    private static final class UploadProgress {
        final ProgressBar md5;
        final ProgressBar upload;
        volatile String phase = "receiving";

        UploadProgress(ProgressBar md5, ProgressBar upload) {
            this.md5 = md5;
            this.upload = upload;
        }

        JsonNode describe() {
            ProgressBar bar = phase.equals("md5") ? md5 : upload;
            return Api.JSON
                    .createObjectNode()
                    .put("phase", phase)
                    .put("done", phase.equals("receiving") ? 0 : bar.done())
                    .put("total", bar.total());
        }
    }
}
