package dev.ota.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.Stage;
import dev.ota.local.stack.LocalStack;
import dev.ota.port.in.JobOperations;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.Retry;
import dev.ota.port.in.JobOperations.Rollout;
import dev.ota.port.in.JobOperations.Targets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * What the job ITs share: a product of their own on the shared stack, its firmware, devices that
 * report through the real report functions (invoked as the IoT rule invokes them, with the broker
 * time of the stack's clock), and a record of every update_firmware the cloud published for the
 * product.
 */
final class JobFixture implements AutoCloseable {

    private static final AtomicInteger PRODUCTS = new AtomicInteger();

    final LocalStack stack;
    final JobOperations jobs;
    final String product;
    private final List<JsonNode> updates = new CopyOnWriteArrayList<>();
    private final List<String> updateTopics = new CopyOnWriteArrayList<>();
    private final BiConsumer<String, byte[]> listener;

    JobFixture(String prefix) {
        this(prefix, SharedStack.get());
    }

    /** On a stack of its own: moto copies every table on each transaction, so big tables slow every later test. */
    JobFixture(String prefix, LocalStack stack) {
        this.stack = stack;
        this.jobs = stack.jobs();
        this.product =
                prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + PRODUCTS.incrementAndGet();
        this.listener = (topic, payload) -> {
            if (!topic.contains("/" + product + "/")) {
                return;
            }
            try {
                JsonNode message = SharedStack.JSON.readTree(payload);
                if ("update_firmware".equals(message.path("type").asText())) {
                    updates.add(message);
                    updateTopics.add(topic);
                }
            } catch (java.io.IOException ignored) {
                // not JSON: not an update
            }
        };
        stack.aws().iotDataServer().addPublishListener(listener);
    }

    JsonNode firmware(String version) throws Exception {
        return SharedStack.uploadAndRegister(
                stack, product, version, SharedStack.firmwareBytes(2048, version.hashCode()));
    }

    /** A version report, as the rule hands it to VersionReportFunction, received now on the stack's clock. */
    JsonNode reportVersion(String device, String version) throws Exception {
        return reportVersion(device, version, stack.clock().instant());
    }

    JsonNode reportVersion(String device, String version, Instant receivedAt) throws Exception {
        String event = "{\"type\":\"report_version\",\"report\":{\"version\":\"" + version + "\"},\"productId\":\""
                + product + "\",\"deviceName\":\"" + device + "\",\"clientId\":\""
                + dev.ota.domain.device.ThingName.of(product, device).value() + "\",\"receivedAt\":"
                + receivedAt.toEpochMilli() + "}";
        return SharedStack.invoke(stack, "VersionReportFunction", event);
    }

    JsonNode progress(String device, String state, String version, Integer percent, int code, Instant receivedAt)
            throws Exception {
        String progress = "{\"state\":\"" + state + "\"" + (percent == null ? "" : ",\"percent\":\"" + percent + "\"")
                + ",\"result_code\":\"" + code + "\",\"result_msg\":\"" + (code == 0 ? "" : "time_out") + "\"}";
        String event = "{\"type\":\"report_progress\",\"report\":{\"progress\":" + progress + ",\"version\":\""
                + version + "\"},\"productId\":\""
                + product + "\",\"deviceName\":\"" + device + "\",\"clientId\":\""
                + dev.ota.domain.device.ThingName.of(product, device).value() + "\",\"receivedAt\":"
                + receivedAt.toEpochMilli() + "}";
        return SharedStack.invoke(stack, "ProgressReportFunction", event);
    }

    JsonNode progress(String device, String state, String version, Integer percent, int code) throws Exception {
        return progress(device, state, version, percent, code, stack.clock().instant());
    }

    /** downloading 0, 100, burning, done, then the new version: a device that updates cleanly. */
    void succeed(String device, String version) throws Exception {
        progress(device, "downloading", version, 0, 0);
        progress(device, "downloading", version, 100, 0);
        progress(device, "burning", version, null, 0);
        progress(device, "done", version, null, 0);
        reportVersion(device, version);
    }

    void fail(String device, String version, int code) throws Exception {
        progress(device, "downloading", version, 10, 0);
        progress(device, "fail", version, null, code);
    }

    /** update_firmware messages published for this product so far. */
    List<JsonNode> updates() {
        return List.copyOf(updates);
    }

    /** Devices that got update_firmware so far, in order (a device twice if it got it twice). */
    List<String> updatedDevices() {
        List<String> names = new ArrayList<>();
        for (String topic : updateTopics) {
            names.add(topic.substring(topic.lastIndexOf('/') + 1));
        }
        return names;
    }

    static List<String> names(String prefix, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(String.format("%s-%03d", prefix, i));
        }
        return names;
    }

    Request job(String version) {
        return new Request(product, version);
    }

    String create(Request request) {
        return jobs.create(request.build()).jobId();
    }

    /** A CreateJob built step by step (the contract's records have no builder). */
    static final class Request {
        private final String product;
        private final String version;
        private Targets targets;
        private boolean dynamic;
        private Rollout rollout;
        private List<Stage> stages;
        private Instant startAt;
        private Instant endAt;
        private Duration timeout;
        private Retry retry;

        Request(String product, String version) {
            this.product = product;
            this.version = version;
        }

        Request devices(List<String> names) {
            targets = new Targets(TargetType.DEVICE_LIST, null, names, null);
            return this;
        }

        Request sourceVersions(String... versions) {
            targets = new Targets(TargetType.SOURCE_VERSIONS, List.of(versions), null, null);
            return this;
        }

        Request file(String key) {
            targets = new Targets(TargetType.DEVICE_LIST_FILE, null, null, key);
            return this;
        }

        Request thingGroup(String group) {
            targets = new Targets(TargetType.THING_GROUP, null, null, null, group, null);
            return this;
        }

        Request fleetQuery(String query) {
            targets = new Targets(TargetType.FLEET_QUERY, null, null, null, null, query);
            return this;
        }

        Request wholeProduct() {
            targets = new Targets(TargetType.PRODUCT, null, null, null);
            return this;
        }

        Request dynamic() {
            dynamic = true;
            return this;
        }

        Request rate(int perMinute) {
            rollout = new Rollout(perMinute, null, null, null);
            return this;
        }

        Request ramp(int max, int base, double factor, int every) {
            rollout = new Rollout(max, base, factor, every);
            return this;
        }

        Request stages(Stage... groups) {
            stages = List.of(groups);
            return this;
        }

        Request window(Instant start, Instant end) {
            startAt = start;
            endAt = end;
            return this;
        }

        Request timeout(Duration d) {
            timeout = d;
            return this;
        }

        Request retry(int maxAttempts, Duration interval, Integer... codes) {
            retry = new Retry(maxAttempts, List.of(codes), interval);
            return this;
        }

        CreateJob build() {
            return new CreateJob(
                    product, version, targets, dynamic, rollout, stages, startAt, endAt, timeout, retry, "IT job");
        }
    }

    Map<ExecutionStatus, Long> counts(String jobId) {
        return jobs.statistics(jobId).counts();
    }

    long count(String jobId, ExecutionStatus status) {
        return counts(jobId).getOrDefault(status, 0L);
    }

    void tick() throws Exception {
        stack.tick();
    }

    void advance(Duration by) {
        stack.clock().advance(by);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        stack.aws().iotDataServer().removePublishListener(listener);
    }
}
