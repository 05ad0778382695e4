package dev.ota.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.local.demo.CanaryThenRestRollout.Stage;
import dev.ota.local.demo.CanaryThenRestRollout.StageRun;
import dev.ota.local.demo.FleetPlan.DeviceProfile;
import dev.ota.local.demo.FleetPlan.Fault;
import dev.ota.local.demo.FleetState.ExecutionRow;
import dev.ota.local.stack.LocalFunction;
import dev.ota.local.stack.LocalStack;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The demo on top of a running {@link LocalStack}: registers firmware, connects a fleet of
 * simulated devices on a weak network, updates it in stages (canary, then the rest) and sums up
 * what happened, from the backend's own tables.
 */
public final class Demo {

    private static final String FIRMWARE_FILE = "firmware.bin";
    /** A canary stage passes only if none of its devices failed. */
    private static final double CANARY_MAX_FAILURE_RATIO = 0.0;
    /** The last stage has nothing after it to protect; its failures are reported, not gated. */
    private static final double LAST_STAGE_MAX_FAILURE_RATIO = 1.0;

    private final LocalStack stack;
    private final DemoOptions options;
    private final PrintStream out;
    private final boolean live;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param live redraw the progress line in place (a terminal); otherwise print plain lines
     */
    public Demo(LocalStack stack, DemoOptions options, PrintStream out, boolean live) {
        this.stack = stack;
        this.options = options;
        this.out = out;
        this.live = live;
    }

    /** Firmware bytes for a seed: the same seed, the same firmware and MD5. */
    public static byte[] firmware(DemoOptions options) {
        byte[] bytes = new byte[options.firmwareSize()];
        new Random(options.seed()).nextBytes(bytes);
        return bytes;
    }

    public DemoSummary run() throws Exception {
        long startedAt = System.currentTimeMillis();
        Map<String, Long> callsBefore = stack.calls().snapshot();
        LocalStack.MessageCounts messagesBefore = stack.messages();
        Map<String, Long> invocationsBefore = invocations();
        int deadLettersBefore = stack.router().deadLetters().size();

        FleetPlan plan = FleetPlan.create(options);
        Duration urlExpiry = Duration.ofSeconds(Long.parseLong(stack.parameter("UrlExpirySeconds")));
        out.printf("%nDemo: %d devices of %s, %s -> %s, seed %d%n", options.devices(), options.productId(),
                options.fromVersion(), options.toVersion(), options.seed());

        // 1. Firmware: uploaded to the bucket; the S3 event registers it (size, md5, sha256).
        byte[] firmware = firmware(options);
        JsonNode registered = json.readTree(stack.uploadFirmware(options.productId(), options.toVersion(), FIRMWARE_FILE, firmware));
        if (!"REGISTERED".equals(registered.path("outcome").asText())) {
            throw new IllegalStateException("firmware registration failed: " + registered);
        }
        JsonNode fw = registered.path("firmware").get(0);
        String md5 = fw.path("md5sum").asText();
        out.printf("  firmware %s registered: s3://%s/%s, %,d bytes, md5 %s%n", options.toVersion(), LocalStack.BUCKET,
                fw.path("s3Key").asText(), fw.path("fileSize").asLong(), md5);

        // 2. The fleet: every device connects and reports its version; the offline ones then drop off.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<DemoDevice> fleet = new ArrayList<>();
        for (DeviceProfile profile : plan.devices()) {
            fleet.add(new DemoDevice(profile, options, stack.mqttUrl(), http, urlExpiry));
        }
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "demo-device");
            t.setDaemon(true);
            return t;
        });
        try {
            enroll(fleet);
            long onDollar = fleet.stream().filter(d -> d.topicPrefix().equals("$ota")).count();
            out.printf("  %d devices connected to %s and reported %s (%d on $ota/... topics, %d on ota/...)%n",
                    fleet.size(), stack.mqttUrl(), options.fromVersion(), onDollar, fleet.size() - onDollar);
            out.printf("  weak network (seed %d): %d go offline now and come back after their stage starts, %d lose the connection"
                            + " mid-download, %d wait until their URL has expired (%d s); %s has firmware that always fails MD5%n",
                    options.seed(), plan.withFault(Fault.OFFLINE_AT_START).size(), plan.withFault(Fault.DROPS_MID_DOWNLOAD).size(),
                    plan.withFault(Fault.URL_EXPIRES).size(), urlExpiry.toSeconds(), plan.broken().name());

            List<Future<?>> running = new ArrayList<>();
            fleet.forEach(d -> running.add(threads.submit(d)));

            // 3. The staged update, gated on JobsTable's counters.
            List<Stage> stages = List.of(
                    new Stage("canary", plan.stage(0), CANARY_MAX_FAILURE_RATIO),
                    new Stage("rest", plan.stage(1), LAST_STAGE_MAX_FAILURE_RATIO));
            Map<String, DemoDevice> byName = new LinkedHashMap<>();
            fleet.forEach(d -> byName.put(d.profile().name(), d));
            List<StageRun> runs;
            try (DynamoDbClient dynamo = stack.aws().dynamoDb()) {
                FleetState state = new FleetState(dynamo);
                List<String> jobIds = new java.util.concurrent.CopyOnWriteArrayList<>();
                List<Integer> deliveredSoFar = new java.util.concurrent.CopyOnWriteArrayList<>();
                String[] stageLabel = {"starting"};
                out.printf("  rollout (stand-in for a staged job, see CanaryThenRestRollout): a canary of %d, then the other %d"
                        + " once no canary device has failed%n", stages.get(0).devices().size(), stages.get(1).devices().size());
                try (ProgressDisplay display = new ProgressDisplay(out, live, () -> snapshot(state, jobIds, deliveredSoFar, stageLabel[0])).start()) {
                    CanaryThenRestRollout rollout = new CanaryThenRestRollout(stack, state, json, options.productId(), options.toVersion(),
                            options.maxAttempts());
                    runs = rollout.run(stages, startedAt + options.deadline().toMillis(), new CanaryThenRestRollout.Listener() {
                        @Override
                        public void stageStarting(int index, Stage stage) {
                            stageLabel[0] = String.format("stage %d/%d %s: sending update_firmware to %d", index + 1, stages.size(),
                                    stage.name(), stage.devices().size());
                        }

                        @Override
                        public void stageStarted(int index, Stage stage, String jobId, List<String> delivered, Map<String, String> skipped) {
                            jobIds.add(jobId);
                            deliveredSoFar.add(delivered.size());
                            stageLabel[0] = String.format("stage %d/%d %s", index + 1, stages.size(), stage.name());
                            stage.devices().forEach(name -> byName.get(name).stageStarted());
                            display.event(String.format("  stage %d/%d %s: job %s, update_firmware sent to %d of its devices%s", index + 1,
                                    stages.size(), stage.name(), jobId, delivered.size(), skipped.isEmpty() ? "" : ", skipped " + skipped));
                        }

                        @Override
                        public void stageEnded(int index, StageRun run) {
                            display.event(String.format("  stage %d/%d %s ended in %.1f s: %s -> %s", index + 1, stages.size(),
                                    run.stage().name(), run.millis() / 1000.0, nonZero(run.counts()),
                                    run.passed() ? "passed" : run.ended() ? "FAILED ITS GATE: rollout halted" : "DID NOT END in time"));
                        }
                    });
                    // Devices that succeeded still report their new version; let them finish.
                    awaitUpdated(fleet, plan, 10_000);
                    stack.router().awaitIdle(10_000);
                }
                fleet.forEach(DemoDevice::stop);
                for (Future<?> f : running) {
                    try {
                        f.get(5, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ignored) {
                        // a device stuck in a network call is closed below
                    }
                }
                stack.router().awaitIdle(10_000);

                // 4. The verdict, from the tables.
                Map<String, ExecutionRow> rows = new HashMap<>();
                for (StageRun run : runs) {
                    state.executions(run.jobId()).forEach(r -> rows.put(r.deviceName(), r));
                }
                Map<String, String> versions = state.currentVersions(options.productId(), new ArrayList<>(byName.keySet()));
                Map<String, DemoSummary.DeviceOutcome> outcomes = new LinkedHashMap<>();
                for (DemoDevice d : fleet) {
                    String name = d.profile().name();
                    outcomes.put(name, new DemoSummary.DeviceOutcome(d.profile(), rows.get(name), versions.get(name), d.stats(),
                            d.topicPrefix(), d.error()));
                }
                LocalStack.MessageCounts messages = stack.messages();
                DemoSummary summary = new DemoSummary(options, md5, runs, outcomes,
                        messages.fromDevices() - messagesBefore.fromDevices(), messages.toDevices() - messagesBefore.toDevices(),
                        diff(invocations(), invocationsBefore), diff(stack.calls().snapshot(), callsBefore),
                        stack.router().deadLetters().size() - deadLettersBefore, System.currentTimeMillis() - startedAt);
                out.print(summary.render());
                out.flush();
                return summary;
            }
        } finally {
            fleet.forEach(DemoDevice::stop);
            threads.shutdownNow();
            closeAll(fleet);
        }
    }

    /** Disconnects every device, a few at a time, giving up on stragglers after 15 s. */
    private static void closeAll(List<DemoDevice> fleet) {
        ExecutorService closer = Executors.newFixedThreadPool(Math.min(8, fleet.size()), r -> {
            Thread t = new Thread(r, "demo-device-close");
            t.setDaemon(true);
            return t;
        });
        try {
            closer.invokeAll(fleet.stream().map(d -> (java.util.concurrent.Callable<Void>) () -> {
                d.close();
                return null;
            }).toList(), 15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closer.shutdownNow();
        }
    }

    private void enroll(List<DemoDevice> fleet) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, fleet.size()));
        try {
            List<Future<?>> enrolled = new ArrayList<>();
            fleet.forEach(d -> enrolled.add(pool.submit(d::enroll)));
            for (Future<?> f : enrolled) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Waits until every device that is not meant to fail believes it is updated, or the time is up. */
    private static void awaitUpdated(List<DemoDevice> fleet, FleetPlan plan, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline
                && fleet.stream().anyMatch(d -> d.profile().fault() != Fault.CORRUPT_FIRMWARE && !d.updated() && d.error() == null)) {
            Thread.sleep(50);
        }
    }

    private ProgressDisplay.Snapshot snapshot(FleetState state, List<String> jobIds, List<Integer> delivered, String stage) {
        Map<String, Integer> counts = new HashMap<>();
        for (String jobId : jobIds) {
            state.counts(jobId).forEach((k, v) -> counts.merge(k, v, Integer::sum));
        }
        int started = delivered.stream().mapToInt(Integer::intValue).sum();
        return new ProgressDisplay.Snapshot(options.devices(), options.devices() - started, counts, stage);
    }

    private Map<String, Long> invocations() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map.Entry<String, LocalFunction> e : stack.functions().entrySet()) {
            counts.put(e.getKey(), (long) e.getValue().invocations());
        }
        return counts;
    }

    private static Map<String, Integer> nonZero(Map<String, Integer> counts) {
        Map<String, Integer> shown = new LinkedHashMap<>();
        counts.forEach((k, v) -> {
            if (v != 0) {
                shown.put(k, v);
            }
        });
        return shown;
    }

    private static Map<String, Long> diff(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            long delta = v - before.getOrDefault(k, 0L);
            if (delta > 0) {
                d.put(k, delta);
            }
        });
        return d;
    }
}
