package dev.ota.local.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import dev.ota.domain.device.ThingName;
import dev.ota.local.standin.MqttClients;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A device that speaks the Tencent OTA protocol over a real MQTT connection and downloads over
 * real HTTP, with the knobs a weak network needs: partial downloads and Range resumes. Values go
 * out as strings, as the real SDKs send them.
 *
 * <p>Its MQTT client (HiveMQ's, MQTT 3.1.1) runs on the event loop all clients of the JVM share, keep-alive
 * pings included: a fleet of thousands costs a few threads, not several per device. Its calls block as a
 * device SDK's do: a QoS 1 publish returns once the broker's PUBACK came.
 */
public final class SimulatedDevice implements AutoCloseable {

    /** As Paho's and the device SDKs' defaults. */
    private static final int KEEP_ALIVE_SECONDS = 60;
    /** TCP connect and CONNACK, each (Paho's default connection timeout). */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** A device SDK's reconnect back-off (Tencent's C SDK: 1 s, doubling, at most 60 s; here at most 30 s). */
    private static final Duration RECONNECT_WAIT_MIN = Duration.ofSeconds(1);

    private static final Duration RECONNECT_WAIT_MAX = Duration.ofSeconds(30);
    /** How long {@link #connect} keeps trying before it gives up. */
    private static final Duration CONNECT_GIVE_UP = Duration.ofMinutes(10);
    /** A DISCONNECT that is not written by then is given up: the device is gone either way. */
    private static final Duration DISCONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Stands for "stop waiting" in the inbox (see {@link #wakeUp}); never a cloud message. */
    private static final JsonNode WAKE_UP = new ObjectMapper().createObjectNode();

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectMapper json = JSON;
    private final String productId;
    private final String deviceName;
    private final String topicPrefix;
    private final String clientId;
    /** The broker's plain listener ({@code tcp://host:port}), parsed once. */
    private final MqttClientTransportConfig transport;
    /** The current connection's client; a new one for every connect, on the shared event loop. */
    private volatile Mqtt3AsyncClient mqtt;
    /** Why the last connection ended (who closed it, and the cause), for the error of a publish that finds none. */
    private volatile String lostConnection = "never connected";

    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    /** Counted down by {@link #wakeUp}: ends a wait before a reconnect, too. */
    private final CountDownLatch stop = new CountDownLatch(1);

    private final HttpClient http;
    private final AtomicLong publishes = new AtomicLong();
    /** The Basic Ingest rule names its reports go to, or null: the plain report topic. */
    private volatile BasicIngest basicIngest;

    /**
     * The two report rules' fixed names (template parameters VersionReportRuleName and
     * ProgressReportRuleName): a report published to {@code $aws/rules/<rule>/<report topic>} goes to
     * that rule alone, with no messaging charge (docs/protocol.md).
     */
    public record BasicIngest(String versionRule, String progressRule) {}

    /**
     * @param topicPrefix "ota" (AWS) or "$ota" (Tencent's own topics)
     */
    public SimulatedDevice(String mqttUrl, String productId, String deviceName, String topicPrefix) {
        this(
                mqttUrl,
                productId,
                deviceName,
                topicPrefix,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** With an HTTP client shared by many devices (one client per device costs a selector thread each). */
    public SimulatedDevice(String mqttUrl, String productId, String deviceName, String topicPrefix, HttpClient http) {
        this.http = http;
        this.productId = productId;
        this.deviceName = deviceName;
        this.topicPrefix = topicPrefix;
        // The client id is the device's thing name, as the device policy and the report functions require.
        this.clientId = ThingName.of(productId, deviceName).value();
        this.transport = MqttClients.transport(mqttUrl, CONNECT_TIMEOUT, null);
    }

    /**
     * Connects and subscribes to the update topic, and keeps trying as a device SDK does: a device on a
     * weak network, or one whose CONNECT timed out because the broker was busy (locally: hundreds of
     * devices coming back at once, each CONNECT decided on the IoT registry). It waits 1 s after the
     * first failure, doubling up to {@link #RECONNECT_WAIT_MAX}, and gives up after
     * {@link #CONNECT_GIVE_UP}, or at once when the broker refuses it (CONNACK "not authorized": trying
     * again changes nothing) or {@link #wakeUp} says to stop.
     */
    public SimulatedDevice connect() {
        Exception last = null;
        long giveUpAt = System.nanoTime() + CONNECT_GIVE_UP.toNanos();
        long waitMs = RECONNECT_WAIT_MIN.toMillis();
        while (true) {
            try {
                disconnect();
                Mqtt3AsyncClient client = MqttClients.builder(transport, clientId)
                        .addDisconnectedListener(
                                context -> lostConnection = context.getSource() + ": " + context.getCause())
                        .buildAsync();
                mqtt = client;
                complete(client.connectWith()
                        .cleanSession(true)
                        .keepAlive(KEEP_ALIVE_SECONDS)
                        .send());
                complete(client.subscribeWith()
                        .topicFilter(updateTopic())
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .callback(message -> inbox.add(parse(message.getPayloadAsBytes())))
                        .send());
                return this;
            } catch (IllegalStateException e) {
                last = e;
                if (e.getCause() instanceof Mqtt3ConnAckException
                        || System.nanoTime() + waitMs * 1_000_000 > giveUpAt
                        || stopWaiting(waitMs)) {
                    break;
                }
                waitMs = Math.min(RECONNECT_WAIT_MAX.toMillis(), waitMs * 2);
            }
        }
        throw new IllegalStateException(deviceName + ": cannot connect", last);
    }

    private JsonNode parse(byte[] payload) {
        try {
            return json.readTree(payload);
        } catch (IOException e) {
            // The cloud sent something that is not JSON: the device sees it as a message of no known type.
            return json.createObjectNode().put("unparsable", text(payload));
        }
    }

    /** Waits for an MQTT exchange (CONNACK, SUBACK, PUBACK, a written DISCONNECT) as a blocking SDK call does. */
    private <T> T complete(CompletableFuture<T> exchange) {
        try {
            return exchange.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(deviceName + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(deviceName + ": interrupted", e);
        }
    }

    /** Waits before the next CONNECT; true when {@link #wakeUp} came first (or the thread was interrupted). */
    private boolean stopWaiting(long millis) {
        try {
            return stop.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    public boolean isConnected() {
        Mqtt3AsyncClient client = mqtt;
        return client != null && client.getState().isConnected();
    }

    public void disconnect() {
        Mqtt3AsyncClient client = mqtt;
        if (client != null && client.getState().isConnectedOrReconnect()) {
            try {
                client.disconnect().get(DISCONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // the connection was already gone, or went while saying goodbye: disconnected either way
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public String deviceName() {
        return deviceName;
    }

    public String updateTopic() {
        return topicPrefix + "/update/" + productId + "/" + deviceName;
    }

    public String reportTopic() {
        return topicPrefix + "/report/" + productId + "/" + deviceName;
    }

    /**
     * From now on its reports go by Basic Ingest, each to its own rule: the documented device topic
     * on AWS. Without this call the device publishes every report to its one report topic, as
     * Tencent's SDKs do unchanged.
     */
    public SimulatedDevice viaBasicIngest(BasicIngest rules) {
        this.basicIngest = rules;
        return this;
    }

    /** The topic a report of this type goes to: its rule's Basic Ingest topic, or the report topic. */
    public String reportTopic(String type) {
        BasicIngest rules = basicIngest;
        if (rules == null) {
            return reportTopic();
        }
        String rule = "report_version".equals(type) ? rules.versionRule() : rules.progressRule();
        return "$aws/rules/" + rule + "/" + reportTopic();
    }

    public void reportVersion(String version) {
        ObjectNode msg = json.createObjectNode().put("type", "report_version");
        msg.putObject("report").put("version", version);
        publish(msg, 1);
    }

    public void reportDownloading(String version, int percent) {
        reportProgress(version, "downloading", percent, 0, "", 0);
    }

    public void reportBurning(String version) {
        reportProgress(version, "burning", null, 0, "", 1);
    }

    public void reportDone(String version) {
        reportProgress(version, "done", null, 0, "", 1);
    }

    public void reportFail(String version, int code, String msg) {
        reportProgress(version, "fail", null, code, msg, 1);
    }

    private void reportProgress(String version, String state, Integer percent, int code, String msg, int qos) {
        ObjectNode root = json.createObjectNode().put("type", "report_progress");
        ObjectNode report = root.putObject("report");
        ObjectNode progress = report.putObject("progress").put("state", state);
        if (percent != null) {
            progress.put("percent", String.valueOf(percent));
        }
        progress.put("result_code", String.valueOf(code)).put("result_msg", msg);
        report.put("version", version);
        publish(root, qos);
    }

    /** Publishes raw bytes to the report topic, for tests of malformed input. */
    public void publishRaw(byte[] payload) {
        publishTo(reportTopic(), payload);
    }

    /** Publishes raw bytes to any topic, e.g. a Basic Ingest topic {@code $aws/rules/<rule>/<report topic>}. */
    public void publishTo(String topic, byte[] payload) {
        send(topic, payload, 1);
    }

    private void publish(JsonNode message, int qos) {
        try {
            send(reportTopic(message.path("type").asText()), json.writeValueAsBytes(message), qos);
        } catch (IOException e) {
            throw new IllegalStateException(deviceName + ": publish failed", e);
        }
    }

    /** Publishes and returns once it is sent (QoS 0) or acknowledged (QoS 1), as a device SDK's blocking call does. */
    private void send(String topic, byte[] payload, int qos) {
        Mqtt3AsyncClient client = mqtt;
        if (client == null || !client.getState().isConnected()) {
            throw new IllegalStateException(deviceName + ": publish failed: not connected (" + lostConnection + ")");
        }
        try {
            complete(client.publishWith()
                    .topic(topic)
                    .qos(qos == 0 ? MqttQos.AT_MOST_ONCE : MqttQos.AT_LEAST_ONCE)
                    .payload(payload)
                    .send());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(deviceName + ": publish failed", e);
        }
        publishes.incrementAndGet();
    }

    /** MQTT messages this device has published. */
    public long publishes() {
        return publishes.get();
    }

    /** The next message of {@code type} from the cloud, or null after the timeout; others are dropped. */
    public JsonNode await(String type, Duration timeout) {
        return await(message -> type.equals(message.path("type").asText()), timeout);
    }

    /** The next message from the cloud that {@code wanted} accepts, or null after the timeout; others are dropped. */
    public JsonNode await(Predicate<JsonNode> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                JsonNode next = inbox.poll(left, TimeUnit.NANOSECONDS);
                if (next == WAKE_UP) {
                    return null;
                }
                if (next != null && wanted.test(next)) {
                    return next;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Makes the {@link #await} in progress, or else the next one, return null at once (its device is stopping). */
    public void wakeUp() {
        stop.countDown();
        inbox.add(WAKE_UP);
    }

    /** Every message received so far and not yet awaited. */
    public List<JsonNode> drain() {
        List<JsonNode> all = new ArrayList<>();
        inbox.drainTo(all);
        all.removeIf(m -> m == WAKE_UP);
        return all;
    }

    public record Download(int status, byte[] body) {}

    /**
     * GETs {@code url} from {@code offset} (a Range request when above zero), reading at most
     * {@code maxBytes} before the "connection drops".
     */
    public Download download(String url, long offset, long maxBytes) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (offset > 0) {
            request.header("Range", "bytes=" + offset + "-");
        }
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] bytes = maxBytes < Long.MAX_VALUE ? body.readNBytes((int) maxBytes) : body.readAllBytes();
                return new Download(response.statusCode(), bytes);
            }
        } catch (IOException e) {
            throw new IllegalStateException(deviceName + ": download failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Disconnects, waiting at most a few seconds for the DISCONNECT to go out. */
    @Override
    public void close() {
        disconnect();
    }
}
