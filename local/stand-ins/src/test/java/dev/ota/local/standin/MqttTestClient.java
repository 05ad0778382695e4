package dev.ota.local.standin;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A real Paho MQTT 3.1.1 client for tests; collects what it receives in a queue. */
final class MqttTestClient implements AutoCloseable {

    record Received(String topic, byte[] payload, int qos) {}

    // A safety net against hanging, not an expectation about speed.
    private static final long WAIT_SECONDS = 10;

    private final MqttClient client;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    MqttTestClient(String url, String clientId) throws MqttException {
        this(url, clientId, null, null);
    }

    MqttTestClient(String url, String clientId, String userName, String password) throws MqttException {
        client = new MqttClient(url, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        if (userName != null) {
            options.setUserName(userName);
            options.setPassword(password.toCharArray());
        }
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close();
            throw e;
        }
    }

    MqttTestClient subscribe(String filter, int qos) throws MqttException {
        client.subscribe(
                filter,
                qos,
                (topic, message) -> received.add(new Received(topic, message.getPayload(), message.getQos())));
        return this;
    }

    void publish(String topic, byte[] payload, int qos) throws MqttException {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(qos);
        client.publish(topic, message);
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
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }
}
