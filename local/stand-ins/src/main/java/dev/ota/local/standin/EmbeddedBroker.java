package dev.ota.local.standin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 3.1.1 broker inside this JVM (Moquette), anonymous, in-memory, on 127.0.0.1.
 * Unlike AWS IoT Core it accepts {@code $ota/...} topics, so both device topic schemes can be tested.
 * Server-side publishes go through {@link #publish}; {@link #addPublishListener} sees what clients publish.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** One publish received from a client. */
    public record ClientPublish(String clientId, String topic, byte[] payload, int qos) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final String SERVER_CLIENT_ID = "ota-local-server";

    private final int requestedPort;
    private final List<Consumer<ClientPublish>> listeners = new CopyOnWriteArrayList<>();
    private volatile Server server;
    private volatile int boundPort;

    public EmbeddedBroker() {
        this(0);
    }

    /** @param port 0 for a free port */
    public EmbeddedBroker(int port) {
        this.requestedPort = port;
    }

    public synchronized EmbeddedBroker start() {
        if (server != null) {
            return this;
        }
        // We choose the port ourselves: Moquette's getPort() races with its own bind listener
        // (an unsynchronized HashMap), and on a bind failure Moquette only logs.
        int attempts = requestedPort == 0 ? 3 : 1;
        for (int i = 0; i < attempts; i++) {
            int port = requestedPort == 0 ? FreePort.find() : requireFree(requestedPort);
            Server broker = new Server();
            try {
                broker.startServer(new MemoryConfig(config(port)), List.of(new PublishInterceptor()));
            } catch (IOException e) {
                broker.stopServer();
                throw new UncheckedIOException("MQTT broker failed to start", e);
            }
            if (accepts(port)) {
                server = broker;
                boundPort = port;
                return this;
            }
            broker.stopServer();
        }
        throw new IllegalStateException("MQTT broker could not bind " + HOST + ":" + requestedPort);
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

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static Properties config(int port) {
        Properties props = new Properties();
        props.setProperty(BrokerConstants.HOST_PROPERTY_NAME, HOST);
        props.setProperty(BrokerConstants.PORT_PROPERTY_NAME, String.valueOf(port));
        props.setProperty(BrokerConstants.WEB_SOCKET_PORT_PROPERTY_NAME, BrokerConstants.DISABLED_PORT_BIND);
        props.setProperty(BrokerConstants.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
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
        props.setProperty(BrokerConstants.NETTY_MAX_BYTES_PROPERTY_NAME, String.valueOf(256 * 1024));
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
        if (server != null) {
            server.stopServer();
            server = null;
            boundPort = 0;
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
                        msg.getClientID(), msg.getTopicName(), payload, msg.getQos().value());
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
