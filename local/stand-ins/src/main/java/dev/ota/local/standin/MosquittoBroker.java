package dev.ota.local.standin;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local AWS IoT Core message broker: Debian's mosquitto (MQTT 3.1.1 and 3.1), run as a child
 * process ({@link MosquittoProcess}), behind its front door {@link MqttFront} on 127.0.0.1. Unlike
 * AWS IoT Core it accepts {@code $ota/...} topics, so both device topic schemes can be tested.
 * Server-side publishes go through {@link #publish} (the cloud's own MQTT client, HiveMQ's, straight to
 * mosquitto); {@link #addClientPublishListener} sees what clients publish, with their client id.
 *
 * <p>Clients reach mosquitto only through the front: a plain listener on {@link #port()} and, when a
 * {@link LocalCertificateAuthority} is given, a mutual-TLS listener on {@link #tlsPort()}, as AWS
 * IoT Core listens on 8883. An {@link MqttAccessControl} ({@link #accessControl}) decides every
 * CONNECT (with the client's certificate on the TLS listener), PUBLISH, SUBSCRIBE and delivery; a
 * refused PUBLISH is dropped and closes the client's connection. Without one, everyone may do
 * everything. mosquitto's own listener takes only the front's connections and the cloud's client:
 * its one user's password is a secret made when the broker starts.
 */
public final class MosquittoBroker implements AutoCloseable {

    /** One publish received from a client. */
    public record ClientPublish(String clientId, String topic, byte[] payload, int qos) {}

    private static final Logger LOG = LoggerFactory.getLogger(MosquittoBroker.class);
    private static final String HOST = "127.0.0.1";
    /** Largest MQTT packet a client may send (AWS IoT Core's payload limit is 128 KB). */
    private static final int MAX_BYTES = 256 * 1024;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DISCONNECT_TIMEOUT = Duration.ofSeconds(1);

    private final int requestedPort;
    private final int requestedTlsPort;
    private final LocalCertificateAuthority tlsAuthority;
    private final List<Consumer<ClientPublish>> listeners = new CopyOnWriteArrayList<>();
    private final String backendSecret = randomSecret();
    private volatile MqttAccessControl access = MqttAccessControl.ALLOW_ALL;
    private volatile MosquittoProcess mosquitto;
    private volatile Mqtt3AsyncClient cloud;
    private volatile MqttFront front;
    private volatile ExecutorService dispatcher;
    private volatile int boundPort;
    private volatile int boundTlsPort = -1;

    public MosquittoBroker() {
        this(0);
    }

    /** @param port 0 for a free port */
    public MosquittoBroker(int port) {
        this(port, -1, null);
    }

    /**
     * @param tlsPort  the mutual-TLS listener's port, 0 for a free one, -1 for none
     * @param tls      signs the TLS listener's server certificate (required with a TLS port)
     */
    public MosquittoBroker(int port, int tlsPort, LocalCertificateAuthority tls) {
        if (tlsPort >= 0 && tls == null) {
            throw new IllegalArgumentException("a TLS listener needs a certificate authority");
        }
        this.requestedPort = port;
        this.requestedTlsPort = tlsPort;
        this.tlsAuthority = tls;
    }

    /** Decides CONNECT, PUBLISH, SUBSCRIBE and deliveries from now on (connections accepted before keep their CONNECT decision). */
    public MosquittoBroker accessControl(MqttAccessControl accessControl) {
        this.access = accessControl == null ? MqttAccessControl.ALLOW_ALL : accessControl;
        return this;
    }

    public synchronized MosquittoBroker start() {
        if (front != null) {
            return this;
        }
        if (requestedPort != 0) {
            requireFree(requestedPort);
        }
        if (requestedTlsPort > 0) {
            requireFree(requestedTlsPort);
        }
        try {
            mosquitto = MosquittoProcess.start(MqttFront.BACKEND_USER, backendSecret);
            cloud = connectCloudClient(mosquitto.port());
            // Listeners see publishes one at a time, in the order the front passed them on.
            dispatcher = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "mqtt-publish-listeners");
                t.setDaemon(true);
                return t;
            });
            MqttFront started = new MqttFront(
                    mosquitto.port(),
                    MAX_BYTES,
                    () -> access,
                    backendSecret.getBytes(StandardCharsets.US_ASCII),
                    this::dispatch);
            front = started;
            boundPort = started.listen(requestedPort, null);
            if (requestedTlsPort >= 0) {
                boundTlsPort = started.listen(requestedTlsPort, serverTls());
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The cloud side's connection to mosquitto: what IoT Data Plane Publish sends goes through it. Publishes
     * from many function invocations at once each wait for their own PUBACK; MQTT 3 sets no limit on those
     * in flight but the client's (65,535). Lost, it reconnects (1 s, doubling up to 2 min).
     */
    private Mqtt3AsyncClient connectCloudClient(int port) {
        Mqtt3AsyncClient client = MqttClients.builder(
                        "tcp://" + HOST + ":" + port, "ota-local-cloud-" + randomSecret(), CONNECT_TIMEOUT, null)
                .automaticReconnectWithDefaultConfig()
                .buildAsync();
        try {
            MqttClients.await(
                    client.connectWith()
                            .simpleAuth()
                            .username(MqttFront.BACKEND_USER)
                            .password(backendSecret.getBytes(StandardCharsets.US_ASCII))
                            .applySimpleAuth()
                            .cleanSession(true)
                            .keepAlive(30)
                            .send(),
                    CONNECT_TIMEOUT);
            return client;
        } catch (RuntimeException e) {
            // stops the reconnecting a failed first CONNECT would go on with
            client.disconnect();
            throw new IllegalStateException("cannot connect to mosquitto on port " + port + ": " + e, e);
        }
    }

    private void dispatch(ClientPublish publish) {
        ExecutorService current = dispatcher;
        if (current == null) {
            return;
        }
        current.execute(() -> {
            for (var listener : listeners) {
                try {
                    listener.accept(publish);
                } catch (RuntimeException e) {
                    // one faulty listener must not stop the others or the broker
                    LOG.warn("publish listener failed on {}", publish.topic(), e);
                }
            }
        });
    }

    private SslContext serverTls() {
        try {
            return SslContextBuilder.forServer(
                            tlsAuthority.serverKey(), tlsAuthority.serverCertificate(), tlsAuthority.root())
                    .clientAuth(ClientAuth.REQUIRE)
                    // Any certificate whose key the client holds; the access control looks it up.
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up the MQTT TLS listener", e);
        }
    }

    // Fail with the port's name rather than Netty's bind exception.
    private static void requireFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            throw new IllegalStateException("MQTT port " + HOST + ":" + port + " is in use", e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public int port() {
        running();
        return boundPort;
    }

    /** For MQTT clients ({@link MqttClients}, mosquitto_pub): {@code tcp://127.0.0.1:port}. */
    public String mqttUrl() {
        return "tcp://" + HOST + ":" + port();
    }

    /** The mutual-TLS listener's port; -1 when there is none. */
    public int tlsPort() {
        running();
        return boundTlsPort;
    }

    /** For MQTT clients over mutual TLS ({@link MqttClients}): {@code ssl://127.0.0.1:port}; null when there is no TLS listener. */
    public String mqttsUrl() {
        return tlsPort() < 0 ? null : "ssl://" + HOST + ":" + tlsPort();
    }

    /** mosquitto's own port, behind the front (for tests: nothing but the front and the cloud's client may connect there); -1 before start. */
    int backendPort() {
        MosquittoProcess current = mosquitto;
        return current == null ? -1 : current.port();
    }

    /** The CA devices trust for the TLS listener; null when there is none. */
    public LocalCertificateAuthority certificateAuthority() {
        return tlsAuthority;
    }

    /** Delivers a message to subscribers, as the cloud side (not seen by publish listeners). */
    public void publish(String topic, byte[] payload, int qos) {
        publish(topic, payload, qos, false);
    }

    /** Returns once mosquitto has the message (its PUBACK for QoS 1); fails at once while the cloud's client is disconnected. */
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        running();
        MqttQos level = MqttQos.fromCode(qos);
        if (level == null) {
            throw new IllegalArgumentException("no MQTT QoS " + qos);
        }
        Mqtt3AsyncClient client = cloud;
        if (!client.getState().isConnected()) {
            // rather than queue it for a reconnect, after the caller was told it failed
            throw new IllegalStateException("publish to " + topic + " failed: the cloud's client is not connected");
        }
        try {
            MqttClients.await(
                    client.publishWith()
                            .topic(topic)
                            .qos(level)
                            .payload(payload)
                            .retain(retain)
                            .send(),
                    PUBLISH_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IllegalStateException("publish to " + topic + " failed: " + e, e);
        }
    }

    /**
     * Called for every PUBLISH a client sends and the access control allowed, in arrival order, on one
     * thread: a slow listener delays all later ones, so hand heavy work off.
     */
    public void addPublishListener(BiConsumer<String, byte[]> listener) {
        listeners.add(p -> listener.accept(p.topic(), p.payload()));
    }

    /** Same, with the publishing client's id and the QoS. */
    public void addClientPublishListener(Consumer<ClientPublish> listener) {
        listeners.add(listener);
    }

    public void clearPublishListeners() {
        listeners.clear();
    }

    private void running() {
        if (front == null) {
            throw new IllegalStateException("broker not started");
        }
        MosquittoProcess current = mosquitto;
        if (current != null && !current.isAlive()) {
            throw new IllegalStateException(
                    "mosquitto is no longer running: " + String.join(" | ", current.recentLines()));
        }
    }

    @Override
    public synchronized void close() {
        if (front != null) {
            front.close();
            front = null;
            boundPort = 0;
            boundTlsPort = -1;
        }
        if (cloud != null) {
            try {
                MqttClients.await(cloud.disconnect(), DISCONNECT_TIMEOUT);
            } catch (RuntimeException ignored) {
                // not connected (or not in time): mosquitto stops next either way
            }
            cloud = null;
        }
        if (mosquitto != null) {
            mosquitto.close();
            mosquitto = null;
        }
        if (dispatcher != null) {
            dispatcher.shutdown();
            try {
                dispatcher.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            dispatcher = null;
        }
    }
}
