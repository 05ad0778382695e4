package dev.ota.local.standin;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local stack's MQTT 3.1.1 clients (HiveMQ's; the simulated devices use the same library): the
 * cloud side's client, the demo's identity check and the tests. Every client runs on the event loop
 * all HiveMQ clients of the JVM share, and {@link #await} makes a call block as a device SDK's does:
 * CONNACK, SUBACK, or the PUBACK of a QoS 1 publish has come when it returns.
 */
public final class MqttClients {

    private MqttClients() {}

    /**
     * A client of {@code url}: {@code tcp://host:port}, or {@code ssl://host:port} with {@code tls}
     * (the client certificate's key manager and the trusted roots). {@code connectTimeout} bounds the
     * TCP connect and, separately, the wait for CONNACK.
     */
    public static Mqtt3ClientBuilder builder(
            String url, String clientId, Duration connectTimeout, MqttClientSslConfig tls) {
        return builder(transport(url, connectTimeout, tls), clientId);
    }

    /** A client over {@code transport} (see {@link #transport}): for a caller that connects again and again. */
    public static Mqtt3ClientBuilder builder(MqttClientTransportConfig transport, String clientId) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId).transportConfig(transport);
    }

    /**
     * Where and how {@link #builder(String, String, Duration, MqttClientSslConfig)}'s clients connect;
     * a URL that is not {@code tcp://host:port}, or {@code ssl://host:port} with {@code tls}, is refused.
     */
    public static MqttClientTransportConfig transport(String url, Duration connectTimeout, MqttClientSslConfig tls) {
        URI broker = URI.create(url);
        boolean secure = "ssl".equals(broker.getScheme());
        if (!(secure || "tcp".equals(broker.getScheme())) || broker.getPort() < 0) {
            throw new IllegalArgumentException("not an MQTT URL tcp://host:port or ssl://host:port: " + url);
        }
        if (secure != (tls != null)) {
            throw new IllegalArgumentException(
                    secure ? "an ssl:// URL needs a TLS configuration: " + url : "TLS over a tcp:// URL: " + url);
        }
        return MqttClientTransportConfig.builder()
                .serverHost(broker.getHost())
                .serverPort(broker.getPort())
                .sslConfig(tls)
                .socketConnectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .mqttConnectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    /**
     * Waits at most {@code timeout} for an MQTT exchange (CONNACK, SUBACK, PUBACK, a written publish or
     * DISCONNECT). A failed exchange throws the client's own exception (e.g. {@code Mqtt3ConnAckException}
     * for a refused CONNECT, {@code ConnectionClosedException} when the broker closed the connection);
     * no answer in time throws {@link IllegalStateException}.
     */
    public static <T> T await(CompletableFuture<T> exchange, Duration timeout) {
        try {
            return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from the MQTT broker within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the MQTT broker", e);
        }
    }
}
