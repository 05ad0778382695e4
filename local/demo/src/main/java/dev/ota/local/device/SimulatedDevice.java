package dev.ota.local.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.device.ThingName;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A device that speaks the Tencent OTA protocol over a real MQTT connection and downloads over
 * real HTTP, with the knobs a weak network needs: partial downloads and Range resumes. Values go
 * out as strings, as the real SDKs send them.
 */
public final class SimulatedDevice implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper();
    private final String productId;
    private final String deviceName;
    private final String topicPrefix;
    private final MqttClient mqtt;
    private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final HttpClient http;
    private final AtomicLong publishes = new AtomicLong();

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
        try {
            // The client id is the device's thing name, as the device policy and the report functions require.
            this.mqtt =
                    new MqttClient(mqttUrl, ThingName.of(productId, deviceName).value(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Connects and subscribes to the update topic, retrying twice as a real device would (a device on a
     * weak network, or one whose CONNECT timed out under load).
     */
    public SimulatedDevice connect() {
        MqttException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                if (mqtt.isConnected()) {
                    mqtt.disconnect();
                }
                MqttConnectOptions options = new MqttConnectOptions();
                options.setCleanSession(true);
                options.setAutomaticReconnect(false);
                mqtt.connect(options);
                mqtt.subscribe(updateTopic(), 1, (topic, message) -> inbox.add(json.readTree(message.getPayload())));
                return this;
            } catch (MqttException e) {
                last = e;
                sleepQuietly(100L << attempt);
            }
        }
        throw new IllegalStateException(deviceName + ": cannot connect", last);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isConnected() {
        return mqtt.isConnected();
    }

    public void disconnect() {
        try {
            if (mqtt.isConnected()) {
                mqtt.disconnect();
            }
        } catch (MqttException e) {
            throw new IllegalStateException(e);
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
        try {
            mqtt.publish(topic, payload, 1, false);
            publishes.incrementAndGet();
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    private void publish(JsonNode message, int qos) {
        try {
            mqtt.publish(reportTopic(), json.writeValueAsBytes(message), qos, false);
            publishes.incrementAndGet();
        } catch (MqttException | IOException e) {
            throw new IllegalStateException(deviceName + ": publish failed", e);
        }
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
                if (next != null && wanted.test(next)) {
                    return next;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Every message received so far and not yet awaited. */
    public List<JsonNode> drain() {
        List<JsonNode> all = new ArrayList<>();
        inbox.drainTo(all);
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

    @Override
    /**
     * Disconnects without waiting for in-flight work (Paho's plain disconnect may wait 30 s for it,
     * e.g. after the device's thread was interrupted mid-publish) and releases the client.
     */
    public void close() {
        try {
            if (mqtt.isConnected()) {
                mqtt.disconnectForcibly(100, 1000);
            }
        } catch (MqttException | RuntimeException ignored) {
            // a device that is already gone is closed enough
        }
        try {
            mqtt.close(true);
        } catch (MqttException | RuntimeException ignored) {
            // as above
        }
    }
}
