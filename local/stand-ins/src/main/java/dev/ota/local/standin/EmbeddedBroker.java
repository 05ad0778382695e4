package dev.ota.local.standin;

import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 3.1.1 broker inside this JVM (Moquette), in-memory, on 127.0.0.1.
 * Unlike AWS IoT Core it accepts {@code $ota/...} topics, so both device topic schemes can be tested.
 * Server-side publishes go through {@link #publish}; {@link #addPublishListener} sees what clients publish.
 *
 * <p>Clients reach Moquette through {@link MqttFront}: a plain listener on {@link #port()} and,
 * when a {@link LocalCertificateAuthority} is given, a mutual-TLS listener on {@link #tlsPort()},
 * as AWS IoT Core listens on 8883. An {@link MqttAccessControl} ({@link #accessControl}) decides
 * every CONNECT (with the client's certificate on the TLS listener), PUBLISH and SUBSCRIBE; a
 * refused PUBLISH is dropped and closes the client's connection. Without one, everyone may do
 * everything.
 *
 * <p>Moquette itself accepts only the CONNECTs the front relays: they carry a secret made when the
 * broker starts (see {@link MqttFront}). A client that dials Moquette's internal port directly is
 * refused, and each PUBLISH and SUBSCRIBE is decided for the connection it came on, not for whoever
 * holds its client id.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** One publish received from a client. */
    public record ClientPublish(String clientId, String topic, byte[] payload, int qos) {}

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final String SERVER_CLIENT_ID = "ota-local-server";

    private final int requestedPort;
    private final int requestedTlsPort;
    private final LocalCertificateAuthority tlsAuthority;
    private final List<Consumer<ClientPublish>> listeners = new CopyOnWriteArrayList<>();
    // The password of every CONNECT the front relays to Moquette; Moquette refuses all others.
    private final byte[] backendSecret = randomSecret();
    private volatile int backendPort = -1;
    private volatile MqttAccessControl access = MqttAccessControl.ALLOW_ALL;
    private volatile Server server;
    private volatile MqttFront front;
    private volatile int boundPort;
    private volatile int boundTlsPort = -1;

    public EmbeddedBroker() {
        this(0);
    }

    /** @param port 0 for a free port */
    public EmbeddedBroker(int port) {
        this(port, -1, null);
    }

    /**
     * @param tlsPort  the mutual-TLS listener's port, 0 for a free one, -1 for none
     * @param tls      signs the TLS listener's server certificate (required with a TLS port)
     */
    public EmbeddedBroker(int port, int tlsPort, LocalCertificateAuthority tls) {
        if (tlsPort >= 0 && tls == null) {
            throw new IllegalArgumentException("a TLS listener needs a certificate authority");
        }
        this.requestedPort = port;
        this.requestedTlsPort = tlsPort;
        this.tlsAuthority = tls;
    }

    /** Decides CONNECT, PUBLISH and SUBSCRIBE from now on (connections accepted before keep their CONNECT decision). */
    public EmbeddedBroker accessControl(MqttAccessControl accessControl) {
        this.access = accessControl == null ? MqttAccessControl.ALLOW_ALL : accessControl;
        return this;
    }

    public synchronized EmbeddedBroker start() {
        if (server != null) {
            return this;
        }
        // Moquette listens on an internal port that only the front connects to. We choose it
        // ourselves: Moquette's getPort() races with its own bind listener (an unsynchronized
        // HashMap), and on a bind failure Moquette only logs. So the port is free when chosen but may
        // be someone else's by the time Moquette binds it: before the front relays anything there,
        // it makes sure the listener is this Moquette (isOurs).
        if (requestedPort != 0) {
            requireFree(requestedPort);
        }
        for (int i = 0; i < 3 && server == null; i++) {
            int port = FreePort.find();
            Server broker = new Server();
            try {
                broker.startServer(
                        new MemoryConfig(config(port)),
                        List.of(new PublishInterceptor()),
                        null,
                        new FrontOnly(),
                        new Authorizer());
            } catch (IOException e) {
                broker.stopServer();
                throw new UncheckedIOException("MQTT broker failed to start", e);
            }
            if (isOurs(port)) {
                server = broker;
                backendPort = port;
                MqttFront started = new MqttFront(port, MAX_BYTES, () -> access, backendSecret);
                try {
                    boundPort = started.listen(requestedPort, null);
                    if (requestedTlsPort >= 0) {
                        boundTlsPort = started.listen(requestedTlsPort, serverTls());
                    }
                } catch (RuntimeException e) {
                    started.close();
                    close();
                    throw e;
                }
                front = started;
                return this;
            }
            broker.stopServer();
        }
        if (server == null) {
            throw new IllegalStateException("MQTT broker could not bind an internal port on " + HOST);
        }
        return this;
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

    // A taken port would otherwise look fine: Moquette logs the bind error, and the connect check
    // below would reach whoever holds the port.
    private static int requireFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(HOST, port));
            return port;
        } catch (IOException e) {
            throw new IllegalStateException("MQTT port " + HOST + ":" + port + " is in use", e);
        }
    }

    /**
     * Whether what listens on the port is the Moquette just started: it accepts a CONNECT with this
     * broker's secret and refuses one without it. Waits a little for Moquette's bind to complete.
     */
    private boolean isOurs(int port) {
        long deadline = System.currentTimeMillis() + 3000;
        int withSecret = BackendProbe.connack(HOST, port, backendSecret);
        while (withSecret == BackendProbe.NOTHING_LISTENS && System.currentTimeMillis() < deadline) {
            sleep(20);
            withSecret = BackendProbe.connack(HOST, port, backendSecret);
        }
        if (withSecret != 0) {
            return false;
        }
        int without = BackendProbe.connack(HOST, port, randomSecret());
        return without > 0;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the MQTT broker", e);
        }
    }

    private static byte[] randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).getBytes(StandardCharsets.US_ASCII);
    }

    private static final int MAX_BYTES = 256 * 1024;

    private static Properties config(int port) {
        Properties props = new Properties();
        props.setProperty(BrokerConstants.HOST_PROPERTY_NAME, HOST);
        props.setProperty(BrokerConstants.PORT_PROPERTY_NAME, String.valueOf(port));
        props.setProperty(BrokerConstants.WEB_SOCKET_PORT_PROPERTY_NAME, BrokerConstants.DISABLED_PORT_BIND);
        // Only the front's CONNECTs, which carry its credentials (FrontOnly).
        props.setProperty(BrokerConstants.ALLOW_ANONYMOUS_PROPERTY_NAME, "false");
        // mosquitto_pub/mosquitto_sub without -i send an empty client id (MQTT 3.1.1 allows it with
        // a clean session); Moquette refuses those by default ("identifier rejected").
        props.setProperty(BrokerConstants.ALLOW_ZERO_BYTE_CLIENT_ID_PROPERTY_NAME, "true");
        props.setProperty(BrokerConstants.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
        // Moquette 0.17 would otherwise try to phone home with usage telemetry.
        props.setProperty(BrokerConstants.ENABLE_TELEMETRY_NAME, "false");
        // Flush every write at once: devices and tests should not wait for a batching timer.
        props.setProperty(BrokerConstants.IMMEDIATE_BUFFER_FLUSH_PROPERTY_NAME, "true");
        // One interceptor thread: listeners see publishes one at a time, in the order they arrived.
        props.setProperty(BrokerConstants.BROKER_INTERCEPTOR_THREAD_POOL_SIZE, "1");
        props.setProperty(BrokerConstants.NETTY_MAX_BYTES_PROPERTY_NAME, String.valueOf(MAX_BYTES));
        return props;
    }

    public int port() {
        running();
        return boundPort;
    }

    /** For MQTT clients, e.g. Paho: {@code tcp://127.0.0.1:port}. */
    public String mqttUrl() {
        return "tcp://" + HOST + ":" + port();
    }

    /** The mutual-TLS listener's port; -1 when there is none. */
    public int tlsPort() {
        running();
        return boundTlsPort;
    }

    /** For MQTT clients over mutual TLS, e.g. Paho: {@code ssl://127.0.0.1:port}; null when there is no TLS listener. */
    public String mqttsUrl() {
        return tlsPort() < 0 ? null : "ssl://" + HOST + ":" + tlsPort();
    }

    /** Moquette's own port, behind the front (for tests: nothing but the front may connect there); -1 before start. */
    int backendPort() {
        return backendPort;
    }

    /** The CA devices trust for the TLS listener; null when there is none. */
    public LocalCertificateAuthority certificateAuthority() {
        return tlsAuthority;
    }

    /** Delivers a message to subscribers, as the cloud side (not seen by publish listeners). */
    public void publish(String topic, byte[] payload, int qos) {
        publish(topic, payload, qos, false);
    }

    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        MqttPublishMessage message = MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(MqttQoS.valueOf(qos))
                .retained(retain)
                .payload(Unpooled.copiedBuffer(payload))
                .build();
        // internalPublish releases the payload buffer itself.
        running().internalPublish(message, SERVER_CLIENT_ID);
    }

    /**
     * Called for every PUBLISH a client sends, in arrival order, on the broker's single interceptor
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

    private Server running() {
        Server current = server;
        if (current == null) {
            throw new IllegalStateException("broker not started");
        }
        return current;
    }

    @Override
    public synchronized void close() {
        if (front != null) {
            front.close();
            front = null;
            boundTlsPort = -1;
        }
        if (server != null) {
            server.stopServer();
            server = null;
            boundPort = 0;
            backendPort = -1;
        }
    }

    /** Moquette's authenticator: only CONNECTs relayed by the front, which carry its secret. */
    private final class FrontOnly implements IAuthenticator {
        @Override
        public boolean checkValid(String clientId, String username, byte[] password) {
            boolean front = MqttFront.connectionId(username) >= 0
                    && password != null
                    && MessageDigest.isEqual(password, backendSecret);
            if (!front && !(clientId != null && clientId.startsWith(BackendProbe.CLIENT_ID_PREFIX))) {
                LOG.warn(
                        "MQTT broker refused a CONNECT that did not come through its front door (client '{}')",
                        clientId);
            }
            return front;
        }
    }

    /**
     * Moquette's authorizer: every PUBLISH and SUBSCRIBE goes to the access control, for the connection
     * it came on (the user name the front gave its CONNECT).
     */
    private final class Authorizer implements IAuthorizatorPolicy {

        @Override
        public boolean canWrite(Topic topic, String user, String client) {
            long connection = MqttFront.connectionId(user);
            boolean allowed;
            try {
                allowed = connection > 0 && access.publish(connection, client, topic.toString());
            } catch (RuntimeException e) {
                LOG.warn("MQTT access control failed on PUBLISH of {} to {}", client, topic, e);
                allowed = false;
            }
            if (!allowed) {
                // As AWS IoT Core does: an unauthorized publish ends the connection.
                MqttFront current = front;
                if (current != null && connection > 0) {
                    current.disconnect(connection);
                }
            }
            return allowed;
        }

        @Override
        public boolean canRead(Topic topic, String user, String client) {
            long connection = MqttFront.connectionId(user);
            try {
                return connection > 0 && access.subscribe(connection, client, topic.toString());
            } catch (RuntimeException e) {
                LOG.warn("MQTT access control failed on SUBSCRIBE of {} to {}", client, topic, e);
                return false;
            }
        }
    }

    private final class PublishInterceptor extends AbstractInterceptHandler {

        @Override
        public String getID() {
            return "ota-local-publish-listener";
        }

        @Override
        public void onPublish(InterceptPublishMessage msg) {
            try {
                ByteBuf buf = msg.getPayload();
                byte[] payload = ByteBufUtil.getBytes(buf, buf.readerIndex(), buf.readableBytes());
                ClientPublish publish = new ClientPublish(
                        msg.getClientID(),
                        msg.getTopicName(),
                        payload,
                        msg.getQos().value());
                for (var listener : listeners) {
                    try {
                        listener.accept(publish);
                    } catch (RuntimeException e) {
                        // one faulty listener must not stop the others or the broker
                        LOG.warn("publish listener failed on {}", publish.topic(), e);
                    }
                }
            } finally {
                // Moquette hands interceptors a retained copy; the handler must release it.
                super.onPublish(msg);
            }
        }

        @Override
        public void onSessionLoopError(Throwable error) {
            LOG.warn("MQTT session loop error", error);
        }
    }
}
