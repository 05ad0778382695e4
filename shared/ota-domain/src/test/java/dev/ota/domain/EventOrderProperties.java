package dev.ota.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The state machine decides the same whatever order, number and concurrency the reports of a
 * device are delivered in: random report scripts over several attempts (the -3 then -5 pair of a
 * 403, network cuts after progress resumed up to and past RetryPolicy.MAX_RESUMES, quiet resends,
 * timeouts, an operator's cancel and retry), delivered shuffled, duplicated and with
 * concurrent read-decide-write races, end in the same execution and job counts as the same
 * reports delivered once each in receive-time order.
 *
 * <p>The scheduler and the operator act at their own times; the reports received before such an
 * act are delivered before it (in any order), those after it after it. Within those bounds every
 * order is random, and the orders do reach different intermediate states (a coverage check).
 */
class EventOrderProperties {

    static final DeviceId DEVICE = new DeviceId("p1", "dev-1");
    static final String FROM = "1.0.0";
    static final String TARGET = "1.1.0";
    static final FirmwareRef FIRMWARE = new FirmwareRef(TARGET, "firmware/p1/1.1.0/fw.bin", 1000, "0".repeat(32));
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** One thing in a script: a device report, or the scheduler's or an operator's act, at {@code at} ms after T0. */
    record Step(String kind, long at, int value) {
        boolean isReport() {
            return !(kind.equals("tick") || kind.equals("cancel") || kind.equals("retry"));
        }

        DeviceReport report() {
            Instant t = T0.plusMillis(at);
            return switch (kind) {
                case "dl" -> DeviceReport.downloading(DEVICE, TARGET, value, t);
                case "burning" -> DeviceReport.burning(DEVICE, TARGET, t);
                case "done" -> DeviceReport.done(DEVICE, TARGET, t);
                case "fail" -> DeviceReport.fail(DEVICE, TARGET, value, "code " + value, t);
                case "version" -> DeviceReport.version(DEVICE, FROM, t);
                case "target" -> DeviceReport.version(DEVICE, TARGET, t);
                default -> throw new IllegalArgumentException(kind);
            };
        }
    }

    record Setup(RetryPolicy policy, Duration timeout) {}

    record Script(Setup setup, List<Step> steps) {}

    /** The outcome compared: the execution's derived state and what the job counts of it. */
    record Outcome(
            ExecutionStatus status,
            int attempt,
            int percent,
            Instant attemptStartedAt,
            int resultCode,
            String resultMsg,
            Instant retryNotBefore,
            int resumes,
            int resends,
            int retries) {}

    /** A device and the job's count of its retries, as a store would keep them. */
    static final class Device {
        Execution exec;
        int retries;
        int writes;

        Device(Setup setup) {
            exec = Execution.queued("job-1", FIRMWARE, FROM, setup.policy(), T0)
                    .planned(1, setup.timeout())
                    .delivered(T0);
        }

        /** Conditional write: only onto the execution the decision was made from. */
        boolean write(Execution before, Execution after) {
            if (!exec.equals(before)) {
                return false;
            }
            retries += after.retriesAddedFrom(before);
            exec = after;
            writes++;
            return true;
        }

        Outcome outcome() {
            return new Outcome(
                    exec.status(),
                    exec.attempt(),
                    exec.percent(),
                    exec.attemptStartedAt(),
                    exec.resultCode(),
                    exec.resultMsg(),
                    exec.retryNotBefore(),
                    exec.resumes(),
                    exec.resends(),
                    retries);
        }
    }

    static Decision decide(Execution exec, DeviceReport report) {
        DeviceState state = new DeviceState(DEVICE, FROM, T0, exec);
        return report instanceof DeviceReport.VersionReport v
                ? ExecutionStateMachine.onVersionReport(state, v)
                : ExecutionStateMachine.onProgress(state, (DeviceReport.ProgressReport) report);
    }

    /** What the decision writes, or null when it writes nothing. */
    static Execution after(Execution exec, Decision decision, DeviceReport report) {
        if (decision instanceof Decision.Transition t) {
            return t.after();
        }
        if (decision instanceof Decision.Resend r) {
            return r.after();
        }
        if (decision instanceof Decision.AdvancePercent a) {
            return ExecutionStateMachine.advanced(exec, a.percent(), report.receivedAt());
        }
        return null;
    }

    /** Read, decide, write conditionally; a lost race reads again. */
    static void deliver(Device d, DeviceReport report) {
        for (int race = 0; race < 100; race++) {
            Execution before = d.exec;
            Execution after = after(before, decide(before, report), report);
            if (after == null || d.write(before, after)) {
                return;
            }
        }
        throw new AssertionError("no progress");
    }

    static void act(Device d, Step step) {
        Instant t = T0.plusMillis(step.at());
        switch (step.kind()) {
            case "tick" -> {
                if (ExecutionStateMachine.onDue(d.exec, t, true) instanceof Decision.Transition tr) {
                    d.write(tr.before(), tr.after());
                }
            }
            case "cancel" -> {
                if (d.exec.status().live()) {
                    d.write(d.exec, ExecutionStateMachine.cancel(d.exec, t, "canceled by an operator"));
                }
            }
            case "retry" -> {
                if (d.exec.status() != ExecutionStatus.SUCCEEDED) {
                    d.write(d.exec, d.exec.restarted(t));
                }
            }
            default -> throw new IllegalArgumentException(step.kind());
        }
    }

    /** The reference: every report once, in receive-time order, the acts at their times. */
    static Device inOrder(Script script) {
        Device d = new Device(script.setup());
        List<Step> steps = new ArrayList<>(script.steps());
        steps.sort((a, b) -> Long.compare(a.at(), b.at()));
        for (Step s : steps) {
            if (s.isReport()) {
                deliver(d, s.report());
            } else {
                act(d, s);
            }
        }
        return d;
    }

    /**
     * Shuffled, about a third duplicated, and in groups that read the same state before any of them
     * writes (concurrent containers); the acts stay at their times.
     */
    static Device outOfOrder(Script script, Random random) {
        Device d = new Device(script.setup());
        List<Step> steps = new ArrayList<>(script.steps());
        steps.sort((a, b) -> Long.compare(a.at(), b.at()));
        List<DeviceReport> segment = new ArrayList<>();
        for (Step s : steps) {
            if (s.isReport()) {
                segment.add(s.report());
                if (random.nextInt(3) == 0) {
                    segment.add(s.report());
                }
            } else {
                deliverShuffled(d, segment, random);
                segment.clear();
                act(d, s);
            }
        }
        deliverShuffled(d, segment, random);
        return d;
    }

    static void deliverShuffled(Device d, List<DeviceReport> reports, Random random) {
        List<DeviceReport> order = new ArrayList<>(reports);
        Collections.shuffle(order, random);
        int i = 0;
        while (i < order.size()) {
            int group = 1 + random.nextInt(3);
            List<DeviceReport> concurrent = order.subList(i, Math.min(order.size(), i + group));
            // All read the same state and decide; then they write in a random order, losers decide again.
            Execution read = d.exec;
            List<Runnable> writes = new ArrayList<>();
            for (DeviceReport r : concurrent) {
                Execution after = after(read, decide(read, r), r);
                writes.add(() -> {
                    if (after != null && !d.write(read, after)) {
                        deliver(d, r);
                    }
                });
            }
            Collections.shuffle(writes, random);
            writes.forEach(Runnable::run);
            i += group;
        }
    }

    @Property(tries = 10_000)
    void finalStateDependsOnlyOnTheSetOfReports(@ForAll("scripts") Script script, @ForAll Random random) {
        Outcome expected = inOrder(script).outcome();
        Outcome actual = outOfOrder(script, random).outcome();
        assertThat(actual).as(script.toString()).isEqualTo(expected);
        // Guard against scripts too tame to tell orders apart: in most, the reports delivered in
        // reverse pass through states that in-order delivery never reaches.
        String label = "reverse order passes through other states";
        Statistics.label(label).collect(passesThroughOtherStates(script));
        Statistics.label(label).coverage(c -> c.check(true).percentage(p -> p > 30));
        // and the scripts reach main's budgets: resumes, resumes used up, quiet resends
        Device reference = inOrder(script);
        Statistics.label("resumed").collect(reference.exec.resumes() > 0);
        Statistics.label("resumed").coverage(c -> c.check(true).percentage(p -> p > 5));
        Statistics.label("resumes used up").collect(reference.exec.resumes() == RetryPolicy.MAX_RESUMES);
        Statistics.label("resumes used up").coverage(c -> c.check(true).percentage(p -> p > 0.1));
        Statistics.label("quiet resend").collect(reference.exec.resends() > 0);
        Statistics.label("quiet resend").coverage(c -> c.check(true).percentage(p -> p > 0.5));
    }

    private static boolean passesThroughOtherStates(Script script) {
        List<DeviceReport> reports =
                script.steps().stream().filter(Step::isReport).map(Step::report).toList();
        Device forward = new Device(script.setup());
        Set<Outcome> seen = new java.util.HashSet<>();
        seen.add(forward.outcome());
        for (DeviceReport r : reports) {
            deliver(forward, r);
            seen.add(forward.outcome());
        }
        Device backward = new Device(script.setup());
        for (int i = reports.size() - 1; i >= 0; i--) {
            deliver(backward, reports.get(i));
            if (!seen.contains(backward.outcome())) {
                return true;
            }
        }
        return false;
    }

    @Provide
    Arbitrary<Script> scripts() {
        Arbitrary<RetryPolicy> policy = Combinators.combine(
                        Arbitraries.integers().between(1, 4),
                        Arbitraries.<Set<Integer>>of(Set.of(-1, -3, -4, -5), Set.of(-1, -3, -4), Set.of(-3), Set.of()),
                        Arbitraries.integers().between(0, 4))
                .as((max, codes, interval) -> new RetryPolicy(max, codes, Duration.ofMillis(interval)));
        Arbitrary<Duration> timeout = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Duration) null)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(3, 15).map(Duration::ofMillis)));
        Arbitrary<Setup> setup = Combinators.combine(policy, timeout).as(Setup::new);
        Arbitrary<List<int[]>> actions = action().list().ofMinSize(2).ofMaxSize(24);
        return Combinators.combine(setup, actions).as((s, a) -> new Script(s, timeline(a)));
    }

    /** {kind, time gap in ms (0 makes ties), value}. */
    private Arbitrary<int[]> action() {
        Arbitrary<Integer> kind = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(8, 0), // downloading
                net.jqwik.api.Tuple.of(2, 1), // burning
                net.jqwik.api.Tuple.of(2, 2), // done
                net.jqwik.api.Tuple.of(3, 3), // fail
                net.jqwik.api.Tuple.of(2, 4), // the -3, -5 pair of one 403
                net.jqwik.api.Tuple.of(5, 5), // version report, not the target
                net.jqwik.api.Tuple.of(1, 6), // version report naming the target
                net.jqwik.api.Tuple.of(3, 7), // scheduler tick
                net.jqwik.api.Tuple.of(1, 8), // operator cancels
                net.jqwik.api.Tuple.of(1, 9), // operator retries
                net.jqwik.api.Tuple.of(3, 10), // network cuts after progress, each re-reported (resumes)
                net.jqwik.api.Tuple.of(1, 11)); // quiet for Execution.QUIET_AFTER, then a scheduler tick
        return Combinators.combine(
                        kind,
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 100))
                .as((k, gap, v) -> new int[] {k, gap, v});
    }

    private static List<Step> timeline(List<int[]> actions) {
        List<Step> steps = new ArrayList<>();
        long t = 1;
        // cuts in all: past the resume budget, and the version reports within MAX_VERSION_EVENTS
        int cutsLeft = RetryPolicy.MAX_RESUMES + 4;
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
                case 10 -> {
                    // 1 to 13 cuts: past RetryPolicy.MAX_RESUMES the cuts use attempts
                    for (int cut = 0; cut <= a[2] % 13 && cutsLeft > 0; cut++, cutsLeft--) {
                        steps.add(new Step("dl", t, 1 + (a[2] + cut) % 99));
                        steps.add(new Step("fail", t + 1, cut % 2 == 0 ? -5 : -1));
                        steps.add(new Step("version", t + 2, 0));
                        t += 3;
                    }
                }
                case 11 -> {
                    t += Execution.QUIET_AFTER.toMillis();
                    steps.add(new Step("tick", t, 0));
                }
                case 8 -> steps.add(new Step("cancel", t, 0));
                default -> steps.add(new Step("retry", t, 0));
            }
        }
        return steps;
    }
}
