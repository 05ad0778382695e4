package dev.ota.app.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.RolloutRate;
import dev.ota.domain.rollout.RolloutWindow;
import dev.ota.domain.rollout.Stage;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The stored form of a {@link JobDefinition}: a small JSON document on the job item. Written by
 * hand, field by field, so the stored format never changes by accident with a record.
 * Instants are epoch milliseconds, durations seconds (retry interval milliseconds).
 */
public final class JobDefinitionJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobDefinitionJson() {}

    public static String encode(JobDefinition d) {
        ObjectNode root = JSON.createObjectNode();
        root.put("productId", d.productId());
        root.put("targetVersion", d.targetVersion());
        ObjectNode targets =
                root.putObject("targets").put("type", d.targetType().name());
        strings(targets.putArray("sourceVersions"), d.sourceVersions());
        strings(targets.putArray("deviceNames"), d.deviceNames());
        if (d.deviceListS3Key() != null) {
            targets.put("deviceListS3Key", d.deviceListS3Key());
        }
        if (d.thingGroupName() != null) {
            targets.put("thingGroupName", d.thingGroupName());
        }
        if (d.fleetQuery() != null) {
            targets.put("fleetQuery", d.fleetQuery());
        }
        root.put("dynamic", d.dynamic());
        ObjectNode rate =
                root.putObject("rollout").put("ratePerMinute", d.rate().maxRatePerMinute());
        if (d.rate().ramps()) {
            rate.put("rampBaseRatePerMinute", d.rate().baseRatePerMinute())
                    .put("rampFactor", d.rate().factor())
                    .put("rampEveryDevices", d.rate().everySucceeded());
        }
        ArrayNode stages = root.putArray("stages");
        for (Stage s : d.stages()) {
            ObjectNode n = stages.addObject();
            if (s.deviceCount() != null) {
                n.put("deviceCount", s.deviceCount());
            }
            if (s.percent() != null) {
                n.put("percent", s.percent());
            }
            n.put("successThresholdPercent", s.successThresholdPercent())
                    .put("failureThresholdPercent", s.failureThresholdPercent())
                    .put("minDevicesForFailure", s.minDevicesForFailure())
                    .put("onFailure", s.onFailure().name());
        }
        if (d.window().startAt() != null) {
            root.put("startAt", d.window().startAt().toEpochMilli());
        }
        if (d.window().endAt() != null) {
            root.put("endAt", d.window().endAt().toEpochMilli());
        }
        if (d.inProgressTimeout() != null) {
            root.put("inProgressTimeoutSeconds", d.inProgressTimeout().toSeconds());
        }
        ObjectNode retry = root.putObject("retry")
                .put("maxAttempts", d.retryPolicy().maxAttempts())
                .put("retryIntervalMs", d.retryPolicy().retryInterval().toMillis());
        ArrayNode codes = retry.putArray("retryableCodes");
        d.retryPolicy().retryableCodes().stream().sorted().forEach(codes::add);
        root.put("description", d.description());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JobDefinition decode(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored job definition is not JSON", e);
        }
        JsonNode t = root.path("targets");
        JsonNode r = root.path("rollout");
        RolloutRate rate = new RolloutRate(
                r.path("ratePerMinute").asInt(RolloutRate.MAX_PER_MINUTE),
                r.has("rampBaseRatePerMinute") ? r.get("rampBaseRatePerMinute").asInt() : null,
                r.has("rampFactor") ? r.get("rampFactor").asDouble() : null,
                r.has("rampEveryDevices") ? r.get("rampEveryDevices").asInt() : null);
        List<Stage> stages = new ArrayList<>();
        for (JsonNode s : root.path("stages")) {
            stages.add(new Stage(
                    s.has("deviceCount") ? s.get("deviceCount").asInt() : null,
                    s.has("percent") ? s.get("percent").asInt() : null,
                    s.path("successThresholdPercent").asInt(),
                    s.path("failureThresholdPercent").asInt(),
                    s.path("minDevicesForFailure").asInt(),
                    Stage.FailureAction.valueOf(s.path("onFailure").asText("PAUSE"))));
        }
        JsonNode retry = root.path("retry");
        Set<Integer> codes = new HashSet<>();
        retry.path("retryableCodes").forEach(c -> codes.add(c.asInt()));
        return new JobDefinition(
                root.path("productId").asText(),
                root.path("targetVersion").asText(),
                TargetType.valueOf(t.path("type").asText()),
                strings(t.path("sourceVersions")),
                strings(t.path("deviceNames")),
                t.has("deviceListS3Key") ? t.get("deviceListS3Key").asText() : null,
                t.has("thingGroupName") ? t.get("thingGroupName").asText() : null,
                t.has("fleetQuery") ? t.get("fleetQuery").asText() : null,
                root.path("dynamic").asBoolean(),
                rate,
                stages,
                new RolloutWindow(instant(root, "startAt"), instant(root, "endAt")),
                root.has("inProgressTimeoutSeconds")
                        ? Duration.ofSeconds(
                                root.get("inProgressTimeoutSeconds").asLong())
                        : null,
                new RetryPolicy(
                        retry.path("maxAttempts").asInt(RetryPolicy.DEFAULT.maxAttempts()),
                        codes,
                        Duration.ofMillis(retry.path("retryIntervalMs").asLong())),
                root.path("description").asText(""));
    }

    private static Instant instant(JsonNode root, String field) {
        return root.has(field) ? Instant.ofEpochMilli(root.get(field).asLong()) : null;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
