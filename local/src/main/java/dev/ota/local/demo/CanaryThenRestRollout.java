package dev.ota.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.local.stack.LocalStack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * STAND-IN for a staged update job, until the backend has one (issue 3: rollout rate, canary
 * groups, thresholds, retries, timeouts, HTTP API). The demo stages its update here, on the client
 * side, with what the backend offers today:
 * <ol>
 *   <li>one {@code UpdateDevicesFunction} invocation per stage, each creating its own job;</li>
 *   <li>between stages, a gate read from JobsTable's counters: the stage has ended when every device
 *       it delivered to is in a terminal state, and it passes when its FAILED count is within the
 *       stage's failure threshold; otherwise the rollout halts and later stages never start.</li>
 * </ol>
 * To move the demo onto the real staged job, replace {@link #run} with one request to it and read
 * the same counters.
 */
public final class CanaryThenRestRollout {

    public static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELED");

    /** @param maxFailureRatio the stage passes with at most floor(ratio x devices) FAILED/TIMED_OUT */
    public record Stage(String name, List<String> devices, double maxFailureRatio) {
        public Stage {
            devices = List.copyOf(devices);
        }

        int allowedFailures(int delivered) {
            return (int) Math.floor(maxFailureRatio * delivered);
        }
    }

    public record StageRun(Stage stage, String jobId, List<String> delivered, Map<String, String> skipped,
                           Map<String, Integer> counts, boolean ended, boolean passed, long millis) {
        public int failures() {
            return counts.getOrDefault("FAILED", 0) + counts.getOrDefault("TIMED_OUT", 0);
        }
    }

    public interface Listener {
        /** Before the stage's UpdateDevicesFunction call, which sends every update_firmware before it returns. */
        void stageStarting(int index, Stage stage);

        void stageStarted(int index, Stage stage, String jobId, List<String> delivered, Map<String, String> skipped);

        void stageEnded(int index, StageRun run);
    }

    private final LocalStack stack;
    private final FleetState state;
    private final ObjectMapper json;
    private final String productId;
    private final String version;
    private final int maxAttempts;

    CanaryThenRestRollout(LocalStack stack, FleetState state, ObjectMapper json, String productId, String version, int maxAttempts) {
        this.stack = stack;
        this.state = state;
        this.json = json;
        this.productId = productId;
        this.version = version;
        this.maxAttempts = maxAttempts;
    }

    /** Runs the stages in order until one fails its gate or the deadline passes. */
    public List<StageRun> run(List<Stage> stages, long deadlineMillis, Listener listener) throws Exception {
        List<StageRun> runs = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            long started = System.currentTimeMillis();
            listener.stageStarting(i, stage);
            JsonNode result = json.readTree(stack.invoke("UpdateDevicesFunction", json.writeValueAsBytes(request(stage))));
            if (!result.hasNonNull("jobId")) {
                throw new IllegalStateException("UpdateDevicesFunction refused stage " + stage.name() + ": " + result);
            }
            String jobId = result.path("jobId").asText();
            List<String> delivered = new ArrayList<>();
            result.path("delivered").forEach(d -> delivered.add(d.asText()));
            Map<String, String> skipped = new LinkedHashMap<>();
            result.path("skipped").fields().forEachRemaining(e -> skipped.put(e.getKey(), e.getValue().asText()));
            listener.stageStarted(i, stage, jobId, delivered, skipped);

            Map<String, Integer> counts = state.counts(jobId);
            boolean ended = terminal(counts) >= delivered.size();
            while (!ended && System.currentTimeMillis() < deadlineMillis) {
                Thread.sleep(500);
                counts = state.counts(jobId);
                ended = terminal(counts) >= delivered.size();
            }
            StageRun run = new StageRun(stage, jobId, delivered, skipped, counts, ended,
                    ended && failures(counts) <= stage.allowedFailures(delivered.size()), System.currentTimeMillis() - started);
            runs.add(run);
            listener.stageEnded(i, run);
            if (!run.passed()) {
                break;
            }
        }
        return runs;
    }

    private ObjectNode request(Stage stage) {
        ObjectNode request = json.createObjectNode().put("productId", productId).put("version", version);
        stage.devices().forEach(request.putArray("deviceNames")::add);
        ObjectNode retry = request.putObject("retry").put("maxAttempts", maxAttempts).put("retryIntervalSeconds", 0);
        retry.putArray("retryableCodes").add(-1).add(-3).add(-4).add(-5);
        return request;
    }

    static int terminal(Map<String, Integer> counts) {
        return counts.entrySet().stream().filter(e -> TERMINAL.contains(e.getKey())).mapToInt(Map.Entry::getValue).sum();
    }

    private static int failures(Map<String, Integer> counts) {
        return counts.getOrDefault("FAILED", 0) + counts.getOrDefault("TIMED_OUT", 0);
    }
}
