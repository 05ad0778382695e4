package dev.ota.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.function.support.AwsClients;
import dev.ota.local.demo.FleetPlan.DeviceProfile;
import dev.ota.local.demo.FleetPlan.Fault;
import dev.ota.local.demo.FleetState.ExecutionRow;
import dev.ota.local.device.Registered;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.iam.LocalIam;
import dev.ota.local.stack.LocalClients;
import dev.ota.local.stack.LocalFunction;
import dev.ota.local.stack.LocalMetrics;
import dev.ota.local.stack.LocalScheduler;
import dev.ota.local.stack.LocalStack;
import dev.ota.port.in.JobOperations;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.JobStatistics;
import dev.ota.port.in.JobOperations.JobView;
import dev.ota.port.in.JobOperations.Retry;
import dev.ota.port.in.JobOperations.Rollout;
import dev.ota.port.in.JobOperations.Targets;
import dev.ota.wiring.JobEngineClients;
import dev.ota.wiring.JobOperationsFactory;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The demo on top of a running {@link LocalStack}: registers firmware, connects a fleet of
 * simulated devices on a weak network, updates it with one staged job of the job engine (a canary
 * group, then the rest), drives the scheduler as EventBridge and SQS would, and sums up what
 * happened from the job's statistics and the backend's own tables.
 */
public final class Demo {

    private static final String FIRMWARE_FILE = "firmware.bin";
    /** The next group starts once every eligible canary device succeeded. */
    static final int CANARY_SUCCESS_PERCENT = 100;
    /** Any failure in the canary pauses the job (1% of at least one finished device). */
    static final int CANARY_FAILURE_PERCENT = 1;
    /** The rest pauses only if half its finished devices failed: the one broken device does not stop it. */
    static final int REST_FAILURE_PERCENT = 50;

    static final Duration IN_PROGRESS_TIMEOUT = Duration.ofMinutes(5);

    /**
     * The job's in-progress timeout: 5 minutes, or the demo's deadline when that is longer. None of the
     * demo's faults needs a timeout to end, and on a 2-core machine the local stack works through about
     * 100 devices a minute (moto_server, one request at a time), so at 5,000 devices a device released in
     * the first minute may have its reports processed half an hour later: a 5-minute timeout retried, and
     * at last timed out, devices that had updated.
     */
    static Duration inProgressTimeout(DemoOptions options) {
        return options.deadline().compareTo(IN_PROGRESS_TIMEOUT) > 0 ? options.deadline() : IN_PROGRESS_TIMEOUT;
    }
    /**
     * A failed attempt's retry waits this long, then the scheduler sends it. Longer than the device's own
     * re-report 2 s after a failure, which then usually finds the retry pending and is ignored. Had the
     * scheduler already sent the new attempt, that report would look like a lost update_firmware and be
     * answered with a second one for the same attempt (the resend rule); with no interval that happened on
     * every retry. Under load the rules router lags the devices by a second or two, so it still happens now
     * and then: the device fetches the firmware once more within the same attempt, nothing else changes.
     */
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(3);
    /** The job is over for the demo: done, or halted by a group's rule or an operator. */
    private static final Set<JobStatus> ENDED =
            Set.of(JobStatus.COMPLETED, JobStatus.PAUSED, JobStatus.CANCELED, JobStatus.ABORTED);

    private final LocalStack stack;
    private final DemoOptions options;
    private final PrintStream out;
    private final boolean live;
    private final ObjectMapper json = new ObjectMapper();
    /**
     * The demo's own reads of the job (describe, statistics): the same JobService as {@code stack.jobs()}, built by the
     * same factory on the stack's clock, but on uncounted clients, so that "AWS calls made by the functions" stays so.
     */
    private JobOperations watcher;

    private final List<AutoCloseable> watcherClients = new ArrayList<>();

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
        AwsClients clients = LocalClients.functionClients(stack.aws()).build();
        watcherClients.add(clients);
        watcher = JobOperationsFactory.create(
                stack.settings(), JobEngineClients.of(stack.settings(), clients, stack.clock()), stack.clock());
        try {
            return runDemo();
        } finally {
            for (AutoCloseable c : watcherClients) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing a local client
                }
            }
            watcherClients.clear();
        }
    }

    private DemoSummary runDemo() throws Exception {
        long startedAt = System.currentTimeMillis();
        Map<String, Long> callsBefore = stack.calls().snapshot();
        LocalIam.Stats iamBefore = stack.iam().stats();
        int refusalsBefore = stack.iam().denials().size();
        LocalStack.MessageCounts messagesBefore = stack.messages();
        Map<String, Long> invocationsBefore = invocations();
        int deadLettersBefore = stack.router().deadLetters().size();

        FleetPlan plan = FleetPlan.create(options);
        Duration urlExpiry = Duration.ofSeconds(Long.parseLong(stack.parameter("UrlExpirySeconds")));
        out.printf(
                "%nDemo: %d devices of %s, %s -> %s, seed %d%n",
                options.devices(), options.productId(), options.fromVersion(), options.toVersion(), options.seed());

        // 1. Firmware: uploaded to the bucket; the S3 event registers it (size, md5, sha256).
        byte[] firmware = firmware(options);
        JsonNode registered =
                json.readTree(stack.uploadFirmware(options.productId(), options.toVersion(), FIRMWARE_FILE, firmware));
        if (!"REGISTERED".equals(registered.path("outcome").asText())) {
            throw new IllegalStateException("firmware registration failed: " + registered);
        }
        JsonNode fw = registered.path("firmware").get(0);
        String md5 = fw.path("md5sum").asText();
        out.printf(
                "  firmware %s registered: s3://%s/%s, %,d bytes, md5 %s%n",
                options.toVersion(),
                LocalStack.BUCKET,
                fw.path("s3Key").asText(),
                fw.path("fileSize").asLong(),
                md5);

        // 2. The fleet: every device is registered (thing, certificate, the template's device policy, as
        // `ota device register` does), connects and reports its version; the offline ones then drop off.
        long registering = System.currentTimeMillis();
        Registered.fleet(
                stack,
                options.productId(),
                plan.devices().stream().map(DeviceProfile::name).toList());
        out.printf(
                "  %d devices registered in the IoT registry (thing, certificate, policy %s) in %.1f s%n",
                plan.devices().size(), stack.devicePolicyName(), (System.currentTimeMillis() - registering) / 1000.0);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<DemoDevice> fleet = new ArrayList<>();
        SimulatedDevice.BasicIngest basicIngest = new SimulatedDevice.BasicIngest(
                stack.parameter("VersionReportRuleName"), stack.parameter("ProgressReportRuleName"));
        for (DeviceProfile profile : plan.devices()) {
            fleet.add(new DemoDevice(profile, options, stack.mqttUrl(), http, urlExpiry, basicIngest));
        }
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "demo-device");
            t.setDaemon(true);
            return t;
        });
        try {
            enroll(fleet);
            long onDollar =
                    fleet.stream().filter(d -> d.topicPrefix().equals("$ota")).count();
            out.printf(
                    "  %d devices connected to %s and reported %s (%d on Tencent's $ota/... topics, %d by Basic Ingest $aws/rules/<rule>/ota/...)%n",
                    fleet.size(), stack.mqttUrl(), options.fromVersion(), onDollar, fleet.size() - onDollar);
            identity = IdentityCheck.run(
                    stack,
                    options.productId(),
                    plan.devices().stream().map(DeviceProfile::name).toList());
            out.println("  " + identity.line());
            out.printf(
                    "  weak network (seed %d): %d go offline now and come back after their stage starts, %d lose the connection"
                            + " mid-download, %d wait until their URL has expired (%d s); %s has firmware that always fails MD5%n",
                    options.seed(),
                    plan.withFault(Fault.OFFLINE_AT_START).size(),
                    plan.withFault(Fault.DROPS_MID_DOWNLOAD).size(),
                    plan.withFault(Fault.URL_EXPIRES).size(),
                    urlExpiry.toSeconds(),
                    plan.broken().name());

            List<Future<?>> running = new ArrayList<>();
            fleet.forEach(d -> running.add(threads.submit(d)));

            // 3. The staged update: one job of the job engine, two rollout groups, driven by the scheduler.
            Map<String, DemoDevice> byName = new LinkedHashMap<>();
            fleet.forEach(d -> byName.put(d.profile().name(), d));
            List<String> canary = plan.stage(0);
            List<String> rest = plan.stage(1);
            JobRun run;
            try (DynamoDbClient dynamo = stack.aws().dynamoDb()) {
                FleetState state = new FleetState(dynamo);
                // The target order is the release order: the canary's devices first (the broken device is never among
                // them).
                List<String> targets = new ArrayList<>(canary);
                targets.addAll(rest);
                JobView created = stack.jobs().create(jobRequest(targets, canary.size()));
                String jobId = created.jobId();
                long jobCreatedAt = System.currentTimeMillis();
                out.printf(
                        "  staged job %s (%s, %d targets): canary of %d (next group once %d%% of it succeeded; pause at %d%% failed),"
                                + " then the other %d (pause only at %d%% failed of at least %d finished); %d/min, %d attempts %d s apart%n",
                        jobId,
                        created.state(),
                        created.targetCount(),
                        canary.size(),
                        CANARY_SUCCESS_PERCENT,
                        CANARY_FAILURE_PERCENT,
                        rest.size(),
                        REST_FAILURE_PERCENT,
                        restMinFinished(rest.size()),
                        options.ratePerMinute(),
                        options.maxAttempts(),
                        RETRY_INTERVAL.toSeconds());
                List<String> stageNames = List.of("canary", "rest");
                List<List<String>> stageDevices = List.of(canary, rest);
                long[] startedAfter = {-1, -1};
                long[] currentSince = {jobCreatedAt, -1};
                long[] currentUntil = {-1, -1};
                String[] passedReason = new String[2];
                JobView job = created;
                // The stack's scheduler, as the launcher runs it (started here if nobody did).
                LocalScheduler scheduler = stack.runScheduler(LocalScheduler.DEFAULT_SPEEDUP);
                int schedulerFailuresBefore = scheduler.failures();
                try (ProgressDisplay display =
                        new ProgressDisplay(out, live, () -> snapshot(jobId, stageNames)).start()) {
                    int shownStage = 0;
                    // The rollout's deadline: from the job's creation (registering and enrolling a fleet take their own
                    // time).
                    long deadline = jobCreatedAt + options.deadline().toMillis();
                    while (true) {
                        job = watcher.describe(jobId);
                        JobStatistics stats = watcher.statistics(jobId);
                        // The engine made a later group current: the earlier one passed its success threshold.
                        while (shownStage < job.currentStage() && shownStage < stageNames.size() - 1) {
                            long now = System.currentTimeMillis();
                            currentUntil[shownStage] = now;
                            currentSince[shownStage + 1] = now;
                            passedReason[shownStage] = job.stateReason();
                            display.event(String.format(
                                    "  stage %d/%d %s passed after %.1f s: %s",
                                    shownStage + 1,
                                    stageNames.size(),
                                    stageNames.get(shownStage),
                                    (now - currentSince[shownStage]) / 1000.0,
                                    job.stateReason()));
                            shownStage++;
                        }
                        // A group has started once the engine released its devices: none of them is queued any more.
                        long queuedAfter = 0;
                        for (int i = stageNames.size() - 1; i >= 0; i--) {
                            if (startedAfter[i] < 0 && job.currentStage() >= i && stats.queued() <= queuedAfter) {
                                startedAfter[i] = System.currentTimeMillis() - jobCreatedAt;
                                stageDevices
                                        .get(i)
                                        .forEach(name -> byName.get(name).stageStarted());
                                int size = stageDevices.get(i).size();
                                display.event(String.format(
                                        "  stage %d/%d %s: the scheduler released its %d %s (update_firmware sent)",
                                        i + 1,
                                        stageNames.size(),
                                        stageNames.get(i),
                                        size,
                                        size == 1 ? "device" : "devices"));
                            }
                            queuedAfter += stageDevices.get(i).size();
                        }
                        if (ENDED.contains(job.state()) || System.currentTimeMillis() >= deadline) {
                            break;
                        }
                        Thread.sleep(250);
                    }
                    long now = System.currentTimeMillis();
                    currentUntil[Math.min(shownStage, stageNames.size() - 1)] = now;
                    display.event(String.format(
                            "  job %s: %s%s after %.1f s",
                            jobId,
                            job.state(),
                            job.stateReason() == null ? "" : " (" + job.stateReason() + ")",
                            (now - jobCreatedAt) / 1000.0));
                    // Devices that succeeded still report their new version; let them finish.
                    awaitUpdated(fleet, plan, 10_000);
                    stack.router().awaitIdle(10_000);
                    if (scheduler.failures() > schedulerFailuresBefore) {
                        display.event(
                                "  scheduler rounds that threw: " + (scheduler.failures() - schedulerFailuresBefore)
                                        + " (last: " + scheduler.lastFailure() + ")");
                    }
                }
                fleet.forEach(DemoDevice::stop);
                for (Future<?> f : running) {
                    try {
                        f.get(5, TimeUnit.SECONDS);
                    } catch (TimeoutException | ExecutionException ignored) {
                        // a device stuck in a network call is closed below
                    }
                }
                stack.router().awaitIdle(10_000);

                // 4. The verdict, from the tables and the job's own statistics.
                Map<String, ExecutionRow> rows = new HashMap<>();
                state.executions(jobId).forEach(r -> rows.put(r.deviceName(), r));
                job = watcher.describe(jobId);
                List<JobRun.StageRun> stageRuns = new ArrayList<>();
                for (int i = 0; i < stageNames.size(); i++) {
                    Map<String, Integer> counts = new TreeMap<>();
                    int index = i;
                    rows.values().stream()
                            .filter(r -> r.stage() == index)
                            .forEach(r -> counts.merge(r.status(), 1, Integer::sum));
                    long millis = currentSince[i] < 0
                            ? -1
                            : (currentUntil[i] < 0 ? System.currentTimeMillis() : currentUntil[i]) - currentSince[i];
                    stageRuns.add(new JobRun.StageRun(
                            i,
                            stageNames.get(i),
                            stageDevices.get(i).size(),
                            startedAfter[i],
                            millis,
                            counts,
                            passedReason[i]));
                }
                run = new JobRun(
                        jobId,
                        job.state(),
                        job.stateReason(),
                        watcher.statistics(jobId),
                        stageRuns,
                        System.currentTimeMillis() - jobCreatedAt);
                Map<String, String> versions =
                        state.currentVersions(options.productId(), new ArrayList<>(byName.keySet()));
                Map<String, DemoSummary.DeviceOutcome> outcomes = new LinkedHashMap<>();
                for (DemoDevice d : fleet) {
                    String name = d.profile().name();
                    outcomes.put(
                            name,
                            new DemoSummary.DeviceOutcome(
                                    d.profile(),
                                    rows.get(name),
                                    versions.get(name),
                                    d.stats(),
                                    d.topicPrefix(),
                                    d.error()));
                }
                LocalStack.MessageCounts messages = stack.messages();
                DemoSummary summary = new DemoSummary(
                                options,
                                md5,
                                run,
                                outcomes,
                                messages.fromDevices() - messagesBefore.fromDevices(),
                                messages.toDevices() - messagesBefore.toDevices(),
                                diff(invocations(), invocationsBefore),
                                diff(stack.calls().snapshot(), callsBefore),
                                stack.router().deadLetters().size() - deadLettersBefore,
                                System.currentTimeMillis() - startedAt,
                                DemoSummary.Iam.between(
                                        iamBefore,
                                        stack.iam().stats(),
                                        stack.iam().denials().stream()
                                                .skip(refusalsBefore)
                                                .map(LocalIam.Denial::message)
                                                .toList()))
                        .identity(identity);
                out.print(summary.render());
                out.print(metricsSummary());
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
            closer.invokeAll(
                    fleet.stream()
                            .map(d -> (Callable<Void>) () -> {
                                d.close();
                                return null;
                            })
                            .toList(),
                    15,
                    TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closer.shutdownNow();
        }
    }

    /** The identity check's figures, once it ran (null before). */
    public IdentityCheck.Result identity() {
        return identity;
    }

    private IdentityCheck.Result identity;

    private void enroll(List<DemoDevice> fleet) throws Exception {
        // Many at once: each enrolment waits a round trip through the stack for its report_version_rsp.
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(64, fleet.size()));
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
    private static void awaitUpdated(List<DemoDevice> fleet, FleetPlan plan, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline
                && fleet.stream()
                        .anyMatch(d ->
                                d.profile().fault() != Fault.CORRUPT_FIRMWARE && !d.updated() && d.error() == null)) {
            Thread.sleep(50);
        }
    }

    /**
     * The job's request: the demo's fleet in release order, a canary group, then the rest. A fleet over
     * {@link JobDefinition#MAX_INLINE_DEVICES} goes in a device-list file, one name a line, as an operator's
     * {@code ota job create --device-file} puts it.
     */
    private CreateJob jobRequest(List<String> targets, int canarySize) {
        int rest = targets.size() - canarySize;
        Targets jobTargets;
        if (targets.size() <= JobDefinition.MAX_INLINE_DEVICES) {
            jobTargets = new Targets(TargetType.DEVICE_LIST, null, targets, null);
        } else {
            String key = "device-lists/" + options.productId() + "/demo-seed-" + options.seed() + "-" + targets.size()
                    + ".txt";
            try (S3Client s3 = stack.aws().s3()) {
                s3.putObject(
                        r -> r.bucket(stack.bucket()).key(key).contentType("text/plain"),
                        RequestBody.fromString(String.join("\n", targets) + "\n", StandardCharsets.UTF_8));
            }
            jobTargets = new Targets(TargetType.DEVICE_LIST_FILE, null, null, key);
        }
        List<Stage> stages = List.of(
                new Stage(canarySize, null, CANARY_SUCCESS_PERCENT, CANARY_FAILURE_PERCENT, 1, FailureAction.PAUSE),
                new Stage(null, null, 100, REST_FAILURE_PERCENT, restMinFinished(rest), FailureAction.PAUSE));
        return new CreateJob(
                options.productId(),
                options.toVersion(),
                jobTargets,
                false,
                new Rollout(options.ratePerMinute(), null, null, null),
                stages,
                null,
                null,
                inProgressTimeout(options),
                new Retry(options.maxAttempts(), List.of(-1, -3, -4, -5), RETRY_INTERVAL),
                "local demo: canary then the rest, seed " + options.seed());
    }

    /** The rest's failure rule judges only once this many of its devices finished: one broken device is never half of them. */
    private static int restMinFinished(int restSize) {
        return Math.max(1, Math.min(restSize, 10));
    }

    private ProgressDisplay.Snapshot snapshot(String jobId, List<String> stageNames) {
        JobView job = watcher.describe(jobId);
        JobStatistics stats = watcher.statistics(jobId);
        Map<String, Integer> counts = new HashMap<>();
        stats.counts().forEach((k, v) -> counts.put(k.name(), v.intValue()));
        int current = Math.min(job.currentStage(), stageNames.size() - 1);
        String stage = String.format(
                "stage %d/%d %s, job %s", current + 1, stageNames.size(), stageNames.get(current), job.state());
        return new ProgressDisplay.Snapshot(options.devices(), (int) stats.queued(), counts, stage);
    }

    private Map<String, Long> invocations() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map.Entry<String, LocalFunction> e : stack.functions().entrySet()) {
            counts.put(e.getKey(), (long) e.getValue().invocations());
        }
        return counts;
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

    /** The rollout as the dashboard would show it: the functions' EMF metrics and the events delivered. */
    private String metricsSummary() {
        LocalMetrics m = stack.metrics();
        StringBuilder b = new StringBuilder(
                "Metrics (CloudWatch EMF, namespace OTA/<stack>; GET /metrics on the admin endpoint):\n");
        for (String name : List.of(
                "ReportsRejected",
                "UpdatesSent",
                "DevicesReleased",
                "ExecutionsDownloading",
                "ExecutionsBurning",
                "ExecutionsSucceeded",
                "ExecutionsFailed",
                "UrlExpired",
                "Md5Mismatch")) {
            b.append(String.format("  %-22s %8.0f%n", name, m.sum(name)));
        }
        b.append(String.format("  %-22s %8.1f s (max)%n", "SchedulerLagSeconds", m.max("SchedulerLagSeconds")));
        b.append(String.format(
                "  %-22s %8d delivered (GET /events)%n",
                "EventBridge events", stack.events().received().size()));
        return b.toString();
    }
}
