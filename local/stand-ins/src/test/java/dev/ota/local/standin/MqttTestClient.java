package dev.ota.local.standin;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real MQTT 3.1.1 client (HiveMQ's, as {@link MqttClients} builds them) for tests; collects what it
 * receives in a queue. Connect, subscribe and QoS 1 publish return once the broker answered; a failure
 * throws the client's own exception (e.g. {@code Mqtt3ConnAckException} for a refused CONNECT).
 */
final class MqttTestClient implements AutoCloseable {

    record Received(String topic, byte[] payload, int qos) {}

    // A safety net against hanging, not an expectation about speed.
    private static final long WAIT_SECONDS = 10;
    private static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(30);

    private final Mqtt3AsyncClient client;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    MqttTestClient(String url, String clientId) {
        this(url, clientId, null, null);
    }

    MqttTestClient(String url, String clientId, String userName, String password) {
        client = MqttClients.builder(url, clientId, EXCHANGE_TIMEOUT, null).buildAsync();
        var connect = client.connectWith().cleanSession(true);
        if (userName != null) {
            connect.simpleAuth()
                    .username(userName)
                    .password(password.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth();
        }
        MqttClients.await(connect.send(), EXCHANGE_TIMEOUT);
    }

    MqttTestClient subscribe(String filter, int qos) {
        MqttClients.await(
                client.subscribeWith()
                        .topicFilter(filter)
                        .qos(MqttQos.fromCode(qos))
                        .callback(message -> received.add(new Received(
                                message.getTopic().toString(),
                                message.getPayloadAsBytes(),
                                message.getQos().getCode())))
                        .send(),
                EXCHANGE_TIMEOUT);
        return this;
    }

    void publish(String topic, byte[] payload, int qos) {
        MqttClients.await(
                client.publishWith()
                        .topic(topic)
                        .qos(MqttQos.fromCode(qos))
                        .payload(payload)
                        .send(),
                EXCHANGE_TIMEOUT);
    }

    Received next() throws InterruptedException {
        Received next = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no MQTT message arrived");
        }
        return next;
    }

    /** The next message within {@code millis}, or null. */
    Received poll(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Whatever arrived so far, without waiting. */
    Received poll() {
        return received.poll();
    }

    @Override
    public void close() {
        if (client.getState().isConnected()) {
            MqttClients.await(client.disconnect(), EXCHANGE_TIMEOUT);
        }
    }
}
