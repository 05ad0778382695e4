package dev.ota.local.standin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * Stand-in for the AWS IoT Data Plane endpoint, for its Publish call only:
 * {@code POST /topics/{url-encoded topic}?qos=N[&retain=true]} with the payload as body, exactly as
 * {@code IotDataPlaneClient} sends it with an endpointOverride. The message goes to the {@link MosquittoBroker}.
 * Signatures are not checked, but an Authorization header must be present (an unsigned call would fail on AWS).
 */
public final class IotDataEndpoint implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final String PREFIX = "/topics/";

    static {
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
        // the body then waits for the client's delayed ACK, and every Publish took 40-50 ms instead
        // of ~5. The JDK reads this property once, when the first HttpServer is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final MosquittoBroker broker;
    private final int requestedPort;
    private final AtomicLong publishCount = new AtomicLong();
    private final AtomicLong atLeastOnceCount = new AtomicLong();
    private volatile UnaryOperator<String> twinTopic = t -> null;
    private volatile HttpServer server;
    private ExecutorService executor;

    public IotDataEndpoint(MosquittoBroker broker) {
        this(broker, 0);
    }

    /** @param port 0 for a free port */
    public IotDataEndpoint(MosquittoBroker broker, int port) {
        this.broker = broker;
        this.requestedPort = port;
    }

    public synchronized IotDataEndpoint start() {
        if (server != null) {
            return this;
        }
        try {
            server = HttpServer.create(new InetSocketAddress(HOST, requestedPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("IoT data endpoint failed to bind", e);
        }
        executor = Executors.newCachedThreadPool(LoopbackHttp.daemonThreads("iot-data-endpoint"));
        LoopbackHttp.serve(server, executor, this::handle);
        return this;
    }

    public URI endpoint() {
        return LoopbackHttp.endpoint(server);
    }

    public int port() {
        return endpoint().getPort();
    }

    /**
     * Also delivers every publish to a second topic (null for none): the local stack serves devices
     * on Tencent's {@code $ota/...} topics and on AWS's {@code ota/...} ones at once.
     */
    public void mirrorTo(UnaryOperator<String> twinTopic) {
        this.twinTopic = twinTopic;
    }

    /** Publishes accepted and handed to the broker since start (a twin-topic copy is not counted). */
    public long publishCount() {
        return publishCount.get();
    }

    /** Of {@link #publishCount()}, those at QoS 1 (on AWS each delivery's PUBACK is a metered message). */
    public long atLeastOnceCount() {
        return atLeastOnceCount.get();
    }

    /** Called for every publish this endpoint accepts (topic as the caller named it, payload). */
    public void addPublishListener(BiConsumer<String, byte[]> listener) {
        listeners.add(listener);
    }

    public void removePublishListener(BiConsumer<String, byte[]> listener) {
        listeners.remove(listener);
    }

    private final List<BiConsumer<String, byte[]>> listeners = new CopyOnWriteArrayList<>();

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream body = exchange.getRequestBody()) {
            byte[] payload = body.readAllBytes();
            // getPath() decodes %2F and %24, so "$ota/update/p/d" comes back whole.
            String path = exchange.getRequestURI().getPath();
            if (!path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
                respond(exchange, 404, "{\"message\":\"Not Found\"}");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "{\"message\":\"Method Not Allowed\"}");
                return;
            }
            if (exchange.getRequestHeaders().getFirst("Authorization") == null) {
                respond(exchange, 403, "{\"message\":\"Missing Authentication Token\"}");
                return;
            }
            String topic = path.substring(PREFIX.length());
            PublishParams params = PublishParams.parse(exchange.getRequestURI().getRawQuery());
            if (params.qos() < 0 || params.qos() > 1) {
                // AWS IoT Core supports QoS 0 and 1 only.
                respond(exchange, 400, "{\"message\":\"qos must be 0 or 1\"}");
                return;
            }
            broker.publish(topic, payload, params.qos(), params.retain());
            String twin = twinTopic.apply(topic);
            if (twin != null) {
                broker.publish(twin, payload, params.qos(), params.retain());
            }
            publishCount.incrementAndGet();
            if (params.qos() == 1) {
                atLeastOnceCount.incrementAndGet();
            }
            for (var listener : listeners) {
                listener.accept(topic, payload);
            }
            respond(exchange, 200, "{}");
        } catch (RuntimeException e) {
            respond(
                    exchange,
                    500,
                    "{\"message\":\"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
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

    /** Query parameters of Publish; AWS defaults are qos=0, retain=false. */
    record PublishParams(int qos, boolean retain) {

        static PublishParams parse(String rawQuery) {
            int qos = 0;
            boolean retain = false;
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    int eq = pair.indexOf('=');
                    String name = eq < 0 ? pair : pair.substring(0, eq);
                    String value = eq < 0 ? "" : pair.substring(eq + 1);
                    if (name.equals("qos")) {
                        qos = parseQos(value);
                    } else if (name.equals("retain")) {
                        retain = Boolean.parseBoolean(value);
                    }
                }
            }
            return new PublishParams(qos, retain);
        }

        private static int parseQos(String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
