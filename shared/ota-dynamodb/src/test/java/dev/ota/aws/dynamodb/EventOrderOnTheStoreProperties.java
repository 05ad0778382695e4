package dev.ota.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.ConcurrentUpdateException;
import dev.ota.app.ProgressReportService;
import dev.ota.app.UpdateSender;
import dev.ota.app.VersionReportService;
import dev.ota.domain.Decision;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport;
import dev.ota.domain.job.JobRecord;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.RolloutStore.DueKind;
import dev.ota.port.out.RolloutStore.ReleaseResult;
import dev.ota.protocol.UpdateFirmwareMessage;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The event-time promise on the real store (moto_server, the template's tables): random report
 * scripts of one device, delivered through the report services shuffled, duplicated and
 * concurrently (several threads, as several Lambda containers), end in the same device item, the
 * same Executions row and the same job counts as the same reports delivered once each in
 * receive-time order. The scheduler's timeouts and an operator's cancel act at their times, with
 * the reports received before them delivered before them. Each case has its device and job, so
 * cases run side by side against one moto_server (docs/benchmarks.md, "Robustness").
 */
class EventOrderOnTheStoreProperties {

    /**
     * moto_servers the cases are spread over: each serves one request at a time (MotoServer), so
     * one per core lets the cases use the machine.
     */
    static final int SERVERS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private static List<StoreFixture> stores;

    /** Started on first use, not in the class initializer: the starting threads run this class's code. */
    private static synchronized List<StoreFixture> stores() {
        if (stores == null) {
            stores = startStores();
        }
        return stores;
    }

    private static List<StoreFixture> startStores() {
        List<StoreFixture> stores = new ArrayList<>();
        stores.add(new StoreFixture());
        List<Future<StoreFixture>> starting = new ArrayList<>();
        ExecutorService starter = Executors.newFixedThreadPool(SERVERS);
        for (int i = 1; i < SERVERS; i++) {
            starting.add(starter.submit(() -> new StoreFixture(MotoTables.ownServer())));
        }
        try {
            for (Future<StoreFixture> s : starting) {
                stores.add(s.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException("moto_server did not start", e);
        } finally {
            starter.shutdown();
        }
        return stores;
    }

    /** Cases per run, each on a device and job of its own. */
    static final int CASES = 320;

    /** Cases run at the same time against the one moto_server: its latency, not the CPU, bounds a case. */
    static final int CASES_AT_ONCE = 16;

    /** The Lambda containers of all running cases: up to four reports of one device at the same time. */
    private static final ExecutorService CONTAINERS = Executors.newFixedThreadPool(CASES_AT_ONCE * 4);

    private static final ExecutorService CASE_RUNNERS = Executors.newFixedThreadPool(CASES_AT_ONCE);
    private static final StructuredLog QUIET =
            new StructuredLog(new ObjectMapper(), new PrintStream(OutputStream.nullOutputStream()), "test");
    private static final String FROM = "1.0.0";

    @AfterContainer
    static void stop() {
        CONTAINERS.shutdownNow();
        CASE_RUNNERS.shutdownNow();
    }

    record Step(String kind, long at, int value) {
        boolean isReport() {
            return !(kind.equals("tick") || kind.equals("cancel"));
        }
    }

    record Script(RetryPolicy policy, Duration timeout, List<Step> steps) {}

    /** What is compared: the device item's execution, the job's row of it, the job's counts. */
    record Outcome(
            ExecutionStatus status,
            int attempt,
            int percent,
            Instant attemptStartedAt,
            int resultCode,
            Instant retryNotBefore,
            ExecutionStatus rowStatus,
            int rowAttempt,
            int rowResultCode,
            Map<ExecutionStatus, Long> counts,
            long retries) {}

    /** One device of its own job, released at T0, driven through the real services and store. */
    static final class Device {
        final StoreFixture f;
        final JobRecord job;
        final DeviceId id;
        final AtomicInteger updates = new AtomicInteger();
        final VersionReportService versions;
        final ProgressReportService progress;

        Device(StoreFixture store, Script script) {
            f = store;
            job = f.job();
            id = f.queueOne(job);
            progress = new ProgressReportService(f.devices, QUIET);
            Execution first = Execution.queued(job.jobId(), job.firmware(), FROM, script.policy(), StoreFixture.T0)
                    .planned(0, script.timeout())
                    .delivered(StoreFixture.T0);
            ReleaseResult released = f.rollout.release(id, first);
            if (released != ReleaseResult.RELEASED) {
                // Under load the SDK may time out a transaction that moto committed and send it again;
                // the retry then finds the row released already. What counts is that it is.
                assertThat(f.devices.find(id).map(DeviceState::execution))
                        .as("release answered " + released)
                        .contains(first);
            }
            UpdateSender sender = new UpdateSender(fw -> "https://example.com/" + fw.s3Key(), (d, m) -> {
                if (m instanceof UpdateFirmwareMessage) {
                    updates.incrementAndGet();
                }
            });
            versions = new VersionReportService(f.devices, (d, m) -> {}, sender, QUIET);
        }

        DeviceReport report(Step s) {
            Instant t = StoreFixture.T0.plusMillis(s.at());
            String target = job.targetVersion();
            return switch (s.kind()) {
                case "dl" -> DeviceReport.downloading(id, target, s.value(), t);
                case "burning" -> DeviceReport.burning(id, target, t);
                case "done" -> DeviceReport.done(id, target, t);
                case "fail" -> DeviceReport.fail(id, target, s.value(), "code " + s.value(), t);
                case "version" -> DeviceReport.version(id, FROM, t);
                case "target" -> DeviceReport.version(id, target, t);
                default -> throw new IllegalArgumentException(s.kind());
            };
        }

        /** One invocation, and Lambda's retries of it (MaximumRetryAttempts 2) when it fails with a lost race. */
        void deliver(DeviceReport r) {
            for (int invocation = 0; ; invocation++) {
                try {
                    if (r instanceof DeviceReport.VersionReport v) {
                        versions.handle(v);
                    } else {
                        progress.handle((DeviceReport.ProgressReport) r);
                    }
                    return;
                } catch (ConcurrentUpdateException lostRaces) {
                    if (invocation == 2) {
                        throw lostRaces;
                    }
                }
            }
        }

        void act(Step s) {
            Instant t = StoreFixture.T0.plusMillis(s.at());
            for (int race = 0; race < 4; race++) {
                Execution exec = f.devices.find(id).map(DeviceState::execution).orElseThrow();
                Execution after;
                if (s.kind().equals("tick")) {
                    if (!(ExecutionStateMachine.onDue(exec, t, true) instanceof Decision.Transition tr)) {
                        return;
                    }
                    after = tr.after();
                } else {
                    if (!exec.status().live()) {
                        return;
                    }
                    after = ExecutionStateMachine.cancel(exec, t, "canceled by an operator");
                }
                if (f.devices.transition(id, exec, after)) {
                    return;
                }
            }
        }

        /**
         * Null when the byDue entry is never late: there, at or before the execution's due time,
         * while it has one (status changes within a delivery leave it early), and gone otherwise,
         * at the latest once the scheduler re-arms an early one.
         */
        String dueEntryProblem() {
            Execution e = f.devices.find(id).orElseThrow().execution();
            Instant due = e.dueAt();
            Instant end = StoreFixture.T0.plus(Duration.ofDays(3650));
            boolean timeoutEntry =
                    f.rollout.due(job.jobId(), DueKind.TIMEOUT, end, 10).contains(id.deviceName());
            boolean retryEntry =
                    f.rollout.due(job.jobId(), DueKind.RETRY, end, 10).contains(id.deviceName());
            if (due == null && e.status().inFlight() && timeoutEntry && !retryEntry) {
                // Early, left by a report within the delivery: the scheduler's re-arm drops it.
                f.rollout.rearm(id, e);
                timeoutEntry =
                        f.rollout.due(job.jobId(), DueKind.TIMEOUT, end, 10).contains(id.deviceName());
                return timeoutEntry ? "a byDue entry the re-arm left without a due time (" + e.status() + ")" : null;
            }
            if (due == null) {
                return timeoutEntry || retryEntry ? "a byDue entry without a due time (" + e.status() + ")" : null;
            }
            DueKind kind = e.status() == ExecutionStatus.RETRY_PENDING ? DueKind.RETRY : DueKind.TIMEOUT;
            return f.rollout.due(job.jobId(), kind, due, 10).contains(id.deviceName())
                    ? null
                    : "no " + kind + " entry at or before " + due + " (" + e.status() + ")";
        }

        Outcome outcome() {
            Execution e = f.devices.find(id).orElseThrow().execution();
            var row = f.row(job, id);
            var counts = f.jobs.counts(job.jobId());
            return new Outcome(
                    e.status(),
                    e.attempt(),
                    e.percent(),
                    e.attemptStartedAt(),
                    e.resultCode(),
                    e.retryNotBefore(),
                    row.status(),
                    row.attempt(),
                    row.resultCode(),
                    counts.ordered(),
                    counts.retries());
        }
    }

    static List<Step> sorted(Script script) {
        List<Step> steps = new ArrayList<>(script.steps());
        steps.sort((a, b) -> Long.compare(a.at(), b.at()));
        return steps;
    }

    static Device inOrder(StoreFixture store, Script script) {
        Device d = new Device(store, script);
        for (Step s : sorted(script)) {
            if (s.isReport()) {
                d.deliver(d.report(s));
            } else {
                d.act(s);
            }
        }
        return d;
    }

    static Device outOfOrder(StoreFixture store, Script script, Random random) throws Exception {
        Device d = new Device(store, script);
        List<DeviceReport> segment = new ArrayList<>();
        for (Step s : sorted(script)) {
            if (s.isReport()) {
                segment.add(d.report(s));
                if (random.nextInt(3) == 0) {
                    segment.add(d.report(s));
                }
            } else {
                deliverConcurrently(d, segment, random);
                segment.clear();
                d.act(s);
            }
        }
        deliverConcurrently(d, segment, random);
        return d;
    }

    /** Shuffled, then in groups of up to four handled at the same time by different threads. */
    static void deliverConcurrently(Device d, List<DeviceReport> reports, Random random) throws Exception {
        List<DeviceReport> order = new ArrayList<>(reports);
        Collections.shuffle(order, random);
        int i = 0;
        while (i < order.size()) {
            int group = 1 + random.nextInt(4);
            List<Future<?>> running = new ArrayList<>();
            for (DeviceReport r : order.subList(i, Math.min(order.size(), i + group))) {
                running.add(CONTAINERS.submit(() -> d.deliver(r)));
            }
            for (Future<?> f : running) {
                f.get();
            }
            i += group;
        }
    }

    /**
     * {@link #CASES} random scripts, {@link #CASES_AT_ONCE} at a time, each compared exactly with its
     * own in-order run; the seed jqwik reports reproduces the whole batch.
     */
    @Property(tries = 1, shrinking = ShrinkingMode.OFF)
    void theStoreEndsAsInOrderDeliveryWhateverTheOrder(
            @ForAll("batch") List<Script> scripts, @ForAll("seeds") List<Long> seeds) throws Exception {
        List<Future<String>> cases = new ArrayList<>();
        for (int i = 0; i < scripts.size(); i++) {
            Script script = scripts.get(i);
            long seed = seeds.get(i);
            StoreFixture store = stores().get(i % stores().size());
            cases.add(CASE_RUNNERS.submit(() -> {
                Device reference = inOrder(store, script);
                Device shuffled = outOfOrder(store, script, new Random(seed));
                Outcome expected = reference.outcome();
                Outcome actual = shuffled.outcome();
                String due =
                        shuffled.dueEntryProblem() != null ? shuffled.dueEntryProblem() : reference.dueEntryProblem();
                if (due != null) {
                    return "seed " + seed + " " + script + "\n  " + due;
                }
                return actual.equals(expected)
                        ? null
                        : "seed " + seed + " " + script + "\n  expected " + expected + "\n  actual   " + actual;
            }));
        }
        List<String> differences = new ArrayList<>();
        for (Future<String> c : cases) {
            String difference = c.get();
            if (difference != null) {
                differences.add(difference);
            }
        }
        assertThat(cases).hasSize(CASES);
        assertThat(differences).as("cases that ended otherwise than in order").isEmpty();
    }

    @Provide
    Arbitrary<List<Script>> batch() {
        return scripts().list().ofSize(CASES);
    }

    @Provide
    Arbitrary<List<Long>> seeds() {
        return Arbitraries.longs().list().ofSize(CASES);
    }

    @Provide
    Arbitrary<Script> scripts() {
        Arbitrary<Duration> timeout = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just((Duration) null)),
                Tuple.of(1, Arbitraries.integers().between(3, 15).map(Duration::ofMillis)));
        Arbitrary<Integer> kind = Arbitraries.frequency(
                Tuple.of(6, 0),
                Tuple.of(2, 1),
                Tuple.of(2, 2),
                Tuple.of(3, 3),
                Tuple.of(2, 4),
                Tuple.of(5, 5),
                Tuple.of(1, 6),
                Tuple.of(2, 7),
                Tuple.of(1, 8));
        Arbitrary<int[]> action = Combinators.combine(
                        kind,
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 100))
                .as((k, gap, v) -> new int[] {k, gap, v});
        Arbitrary<RetryPolicy> policy = Combinators.combine(
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.<Set<Integer>>of(Set.of(-1, -3, -4, -5), Set.of(-3), Set.of()),
                        Arbitraries.integers().between(0, 4))
                .as((max, codes, interval) -> new RetryPolicy(max, codes, Duration.ofMillis(interval)));
        return Combinators.combine(policy, timeout, action.list().ofMinSize(2).ofMaxSize(10))
                .as((p, t, actions) -> new Script(p, t, timeline(actions)));
    }

    private static List<Step> timeline(List<int[]> actions) {
        List<Step> steps = new ArrayList<>();
        long t = 1;
        for (int[] a : actions) {
            t += a[1];
            switch (a[0]) {
                case 0 -> steps.add(new Step("dl", t, a[2]));
                case 1 -> steps.add(new Step("burning", t, 0));
                case 2 -> steps.add(new Step("done", t, 0));
                case 3 -> steps.add(new Step("fail", t, -1 - a[2] % 5));
                case 4 -> {
                    steps.add(new Step("fail", t, -3));
                    steps.add(new Step("fail", t + a[2] % 2, -5));
                }
                case 5 -> steps.add(new Step("version", t, 0));
                case 6 -> steps.add(new Step("target", t, 0));
                case 7 -> steps.add(new Step("tick", t, 0));
                default -> steps.add(new Step("cancel", t, 0));
            }
        }
        return steps;
    }
}
