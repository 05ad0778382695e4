package dev.ota.bench;

import dev.ota.local.standin.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's first command at fleet sizes: the launcher ({@code LocalMain --devices N
 * --exit-after-demo --plain}, free ports) as a process, exactly as {@code scripts/local.sh} runs it,
 * once per size. For each: wall time (launch to exit), time per device, the peak resident memory of
 * every process of the stack (the JVM, moto_server, mosquitto; read from /proc every 500 ms) and the
 * demo's outcome. Not part of the default test run (the name ends in neither Test nor IT), and it
 * asserts nothing: the figures are the result. Run it from the repository root, after a build
 * ({@code bash scripts/local.sh --help} builds the reactor, or {@code mvn -q -B -DskipTests package}):
 *
 * <pre>
 * mvn -B -o test -pl local/integration-tests -am -Dtest=FleetBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dota.benchmark.fleets=200,1000,5000] [-Dota.benchmark.seed=7] [-Dota.benchmark.jvm=-Xmx4g]
 * </pre>
 *
 * The table goes to target/benchmarks/fleet.md, each run's console to target/benchmarks/fleet-N.log.
 */
class FleetBenchmark {

    private static final long SAMPLE_MS = 500;

    record Run(int devices, long wallMillis, int exitCode, String outcome, Map<String, Long> peakRssKib) {
        double secondsPerDevice() {
            return wallMillis / 1000.0 / devices;
        }
    }

    @Test
    void fleets() throws Exception {
        Path root = RepoRoot.find();
        Path out = root.resolve("local/integration-tests/target/benchmarks");
        Files.createDirectories(out);
        List<Integer> sizes = Stream.of(System.getProperty("ota.benchmark.fleets", "200,1000,5000")
                        .split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .toList();
        long seed = Long.getLong("ota.benchmark.seed", 7);
        List<Run> runs = new ArrayList<>();
        for (int devices : sizes) {
            Run run = run(root, out, devices, seed);
            runs.add(run);
            String table = table(runs, seed);
            Files.writeString(out.resolve("fleet.md"), table);
            System.out.println(table);
        }
    }

    private static Run run(Path root, Path out, int devices, long seed) throws Exception {
        Path classpath = root.resolve("local/demo/target/classpath.txt");
        if (!Files.exists(classpath)) {
            throw new IllegalStateException("build first: mvn -q -B -DskipTests package (writes " + classpath + ")");
        }
        String cp = root.resolve("local/demo/target/classes") + ":"
                + Files.readString(classpath).trim();
        List<String> command = new ArrayList<>(List.of("java"));
        String jvm = System.getProperty("ota.benchmark.jvm", "");
        if (!jvm.isBlank()) {
            command.addAll(List.of(jvm.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-cp",
                cp,
                "dev.ota.local.launcher.LocalMain",
                "--devices",
                String.valueOf(devices),
                "--seed",
                String.valueOf(seed),
                "--exit-after-demo",
                "--plain",
                "--mqtt-port",
                "0",
                "--mqtts-port",
                "0",
                "--s3-port",
                "0",
                "--s3-bucket-port",
                "0",
                "--dynamodb-port",
                "0",
                "--iot-data-port",
                "0",
                "--admin-port",
                "0",
                "--api-port",
                "0",
                "--log-dir",
                out.resolve("fleet-" + devices + "-logs").toString()));
        Path log = out.resolve("fleet-" + devices + ".log");
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Map<String, Long> peaks = new LinkedHashMap<>();
        while (!process.waitFor(SAMPLE_MS, TimeUnit.MILLISECONDS)) {
            sample(process.toHandle(), peaks);
        }
        long wall = Duration.ofNanos(System.nanoTime() - started).toMillis();
        String outcome = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("Outcome:"))
                .reduce((a, b) -> b)
                .orElse("no outcome line (see " + log.getFileName() + ")");
        return new Run(devices, wall, process.exitValue(), outcome, peaks);
    }

    /** Resident memory of the process and each descendant, by name; the highest seen is kept. */
    private static void sample(ProcessHandle launcher, Map<String, Long> peaks) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(launcher);
        launcher.descendants().forEach(all::add);
        for (ProcessHandle p : all) {
            String name = name(p);
            long rss = rssKib(p.pid());
            if (name != null && rss > 0) {
                peaks.merge(name, rss, Math::max);
            }
        }
    }

    private static String name(ProcessHandle p) {
        String command = p.info().command().orElse("");
        String args = String.join(" ", p.info().arguments().orElse(new String[0]));
        if (command.endsWith("/java")) {
            return "launcher JVM";
        }
        if (command.contains("mosquitto") || args.contains("mosquitto.conf")) {
            return "mosquitto";
        }
        if (command.contains("python") || args.contains("moto")) {
            return "moto_server";
        }
        return command.isEmpty() ? null : Path.of(command).getFileName().toString();
    }

    private static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended between listing and reading
        }
        return 0;
    }

    private static String table(List<Run> runs, long seed) {
        StringBuilder b = new StringBuilder();
        b.append("| devices | wall | per device | vs. first | peak RSS (MiB) | exit | outcome |\n");
        b.append("|---:|---:|---:|---:|---|---:|---|\n");
        double first = runs.get(0).secondsPerDevice();
        for (Run r : runs) {
            StringBuilder rss = new StringBuilder();
            r.peakRssKib()
                    .forEach((name, kib) -> rss.append(rss.isEmpty() ? "" : ", ")
                            .append(name)
                            .append(' ')
                            .append(kib / 1024));
            b.append(String.format(
                    "| %,d | %.1f s | %.3f s | %.2fx | %s | %d | %s |%n",
                    r.devices(),
                    r.wallMillis() / 1000.0,
                    r.secondsPerDevice(),
                    r.secondsPerDevice() / first,
                    rss,
                    r.exitCode(),
                    r.outcome().replace("|", "/")));
        }
        b.append("\nseed ")
                .append(seed)
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors());
        b.append(" cores; load average at the end: ").append(loadAverage()).append('\n');
        return b.toString();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
