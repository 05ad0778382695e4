package dev.ota.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.RepoRoot;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The floor under {@link ColdStartBenchmark}: what any device-path function pays with the AWS SDK
 * for Java v2 before any code of ours runs ({@link SdkFloorHandler}: one DynamoDB client built in
 * INIT, one GetItem; {@link JsonSdkFloorHandler}: the same plus the event parsed by Jackson), against
 * the bare JVM running {@link NoOpHandler}, measured the same way (fresh JVMs, the template's
 * JAVA_TOOL_OPTIONS, runs interleaved, medians). Each on JDK 17 (this JVM) and on a second JDK
 * ({@code -Dota.coldstart.otherJdk}, Temurin 25 unless set), with the JDK's own CDS archive (the
 * default), without any ({@code -Xshare:off}), with an AppCDS archive made by a training run of the
 * same classpath ({@code -XX:ArchiveClassesAtExit}) and, on JDK 24 and later, with an AOT cache
 * ({@code -XX:AOTCacheOutput}, JEP 483/514). The SDK and Jackson are those of progress-report's
 * deployable jar (as shrunk for it), on the classpath as a jar, which an archive needs; beside them,
 * progress-report itself on the same event (a device no one has: one read).
 * Not part of the default test run (docs/benchmarks.md has the command). Writes target/cold-start-floor.md.
 */
class ColdStartFloorBenchmark {

    private static final int RUNS = Integer.getInteger("ota.coldstart.runs", 5);

    private record Cell(Path javaHome, String variant, String function, List<String> options, List<JsonNode> runs) {}

    @Test
    void measureFloor() throws Exception {
        Path repo = RepoRoot.find();
        Path work = Files.createTempDirectory("coldstart-floor");
        try (LocalStack stack = LocalStack.start()) {
            String jvmOptions = System.getProperty(
                    "ota.coldstart.jvmOptions",
                    stack.template().functions().stream()
                            .filter(f -> f.logicalId().equals("ProgressReportFunction"))
                            .findFirst()
                            .orElseThrow()
                            .environment()
                            .getOrDefault("JAVA_TOOL_OPTIONS", ""));
            String jarsDir = System.getProperty("ota.coldstart.jars");
            String jarName = "progress-report-1.0.0-SNAPSHOT-lambda.jar";
            Path sdkJar = jarsDir != null
                    ? Path.of(jarsDir).resolve(jarName)
                    : repo.resolve("functions/progress-report/target/" + jarName);
            assertThat(sdkJar)
                    .as("build the functions first (docs/benchmarks.md)")
                    .exists();
            Path lambdaCore = Path.of(RequestStreamHandler.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            // The probe and the handlers in a jar of their own: JDK 17 archives classes from jars only.
            Path benchJar = benchJar(work);
            Map<String, String[]> functions = new LinkedHashMap<>();
            functions.put(
                    "bare JVM, no-op handler",
                    new String[] {NoOpHandler.class.getName(), benchJar + File.pathSeparator + lambdaCore});
            functions.put(
                    "SDK floor: DynamoDB client, one GetItem",
                    new String[] {SdkFloorHandler.class.getName(), benchJar + File.pathSeparator + sdkJar});
            functions.put(
                    "SDK floor + Jackson readTree of the event",
                    new String[] {JsonSdkFloorHandler.class.getName(), benchJar + File.pathSeparator + sdkJar});
            // Ours beside the floor, on the same event: a progress report of a device no one has,
            // so it makes the same one read (and answers IGNORED).
            functions.put("progress-report, unknown device (one read)", new String[] {
                "dev.ota.function.progressreport.ProgressReportHandler", benchJar + File.pathSeparator + sdkJar
            });
            Path event = work.resolve("event.json");
            Files.writeString(
                    event,
                    "{\"type\":\"report_progress\",\"report\":{\"progress\":{\"state\":\"downloading\",\"percent\":\"10\",\"result_code\":\"0\",\"result_msg\":\"\"},\"version\":\"1.1.0\"},\"productId\":\"BENCH\",\"deviceName\":\"bench-1\",\"clientId\":\"BENCH::bench-1\",\"receivedAt\":"
                            + System.currentTimeMillis() + "}");

            List<Path> jdks = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
            Path other = Path.of(System.getProperty("ota.coldstart.otherJdk", "/usr/lib/jvm/temurin-25-jdk-amd64"));
            if (Files.isExecutable(other.resolve("bin/java"))) {
                jdks.add(other);
            }
            List<Cell> cells = new ArrayList<>();
            for (Path jdk : jdks) {
                int feature = featureVersion(jdk);
                for (Map.Entry<String, String[]> f : functions.entrySet()) {
                    String handler = f.getValue()[0];
                    String classpath = f.getValue()[1];
                    cells.add(
                            new Cell(jdk, "JDK's own CDS archive (default)", f.getKey(), List.of(), new ArrayList<>()));
                    cells.add(new Cell(jdk, "-Xshare:off", f.getKey(), List.of("-Xshare:off"), new ArrayList<>()));
                    if (handler.equals(NoOpHandler.class.getName())) {
                        continue;
                    }
                    // A training run of the same classpath and event writes the archive at exit.
                    Path jsa = work.resolve(feature + "-" + cells.size() + ".jsa");
                    cells.add(trained(
                            stack,
                            jdk,
                            f.getKey(),
                            "AppCDS archive of a training run",
                            jsa,
                            List.of("-XX:ArchiveClassesAtExit=" + jsa),
                            List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:on"),
                            jvmOptions,
                            classpath,
                            handler,
                            event));
                    if (feature >= 24) {
                        Path aot = work.resolve(feature + "-" + cells.size() + ".aot");
                        cells.add(trained(
                                stack,
                                jdk,
                                f.getKey(),
                                "AOT cache of a training run",
                                aot,
                                List.of("-XX:AOTCacheOutput=" + aot),
                                List.of("-XX:AOTCache=" + aot, "-XX:AOTMode=on"),
                                jvmOptions,
                                classpath,
                                handler,
                                event));
                    }
                }
            }
            // Round-robin: one run of every cell per round, so load weighs on all alike.
            for (int i = 0; i < RUNS; i++) {
                for (Cell c : cells) {
                    String handler = functions.get(c.function())[0];
                    String options = (jvmOptions + " " + String.join(" ", c.options())).trim();
                    c.runs()
                            .add(ColdStartBenchmark.probe(
                                    stack,
                                    c.javaHome(),
                                    List.of(),
                                    options,
                                    functions.get(c.function())[1],
                                    handler,
                                    event.toString(),
                                    "plain"));
                }
            }
            StringBuilder report = new StringBuilder("Median of " + RUNS + " fresh JVMs each, JAVA_TOOL_OPTIONS=\""
                    + jvmOptions + "\" (as in template.yaml) plus the variant's options, "
                    + Runtime.getRuntime().availableProcessors() + " cores. × bare JVM: over the same JDK's"
                    + " no-op handler with its own CDS archive (the default).\n");
            for (Path jdk : jdks) {
                double bare = cells.stream()
                        .filter(c -> c.javaHome().equals(jdk)
                                && c.options().isEmpty()
                                && functions.get(c.function())[0].equals(NoOpHandler.class.getName()))
                        .findFirst()
                        .map(c -> ColdStartBenchmark.medianValue(c.runs(), "spawnToFirstResponseMs"))
                        .orElseThrow();
                report.append("\n")
                        .append(javaVersion(jdk))
                        .append(
                                ":\n\n| function | JVM options | process start to first response (ms) | × bare JVM | INIT (ms) | first invocation (ms) |\n|---|---|---|---|---|---|\n");
                for (Cell c : cells) {
                    if (!c.javaHome().equals(jdk)) {
                        continue;
                    }
                    double total = ColdStartBenchmark.medianValue(c.runs(), "spawnToFirstResponseMs");
                    report.append(String.format(
                            "| %s | %s | %.0f | %.1f | %s | %s |%n",
                            c.function(),
                            c.variant(),
                            total,
                            total / bare,
                            ColdStartBenchmark.median(c.runs(), "initMs"),
                            ColdStartBenchmark.median(c.runs(), "firstInvokeMs")));
                }
            }
            Files.writeString(repo.resolve("local/integration-tests/target/cold-start-floor.md"), report);
            System.out.println(report);
        }
    }

    /**
     * A cell that runs with an archive: one training run with {@code trainOptions} writes {@code archive},
     * then the measured runs use it with {@code useOptions} (which fail the JVM if it is not used).
     */
    private static Cell trained(
            LocalStack stack,
            Path jdk,
            String function,
            String variant,
            Path archive,
            List<String> trainOptions,
            List<String> useOptions,
            String jvmOptions,
            String classpath,
            String handler,
            Path event)
            throws Exception {
        ColdStartBenchmark.probe(stack, jdk, trainOptions, jvmOptions, classpath, handler, event.toString(), "plain");
        assertThat(archive).exists();
        return new Cell(jdk, variant, function, useOptions, new ArrayList<>());
    }

    /** The bench classes the child JVMs run, copied from this module's test classes into a jar. */
    private static Path benchJar(Path dir) throws Exception {
        Path classes = ColdStartProbe.classesLocation();
        Path jar = dir.resolve("bench.jar");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream zip = new JarOutputStream(out)) {
            for (Class<?> c : List.of(
                    ColdStartProbe.class, NoOpHandler.class, SdkFloorHandler.class, JsonSdkFloorHandler.class)) {
                String entry = c.getName().replace('.', '/') + ".class";
                zip.putNextEntry(new JarEntry(entry));
                zip.write(Files.readAllBytes(classes.resolve(entry)));
                zip.closeEntry();
            }
            // Lambdas and inner classes of the handlers (SdkFloorHandler's request lambda).
            try (var files = Files.list(classes.resolve("dev/ota/bench"))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (name.contains("$")
                            && (name.startsWith("SdkFloorHandler") || name.startsWith("ColdStartProbe"))) {
                        zip.putNextEntry(new JarEntry("dev/ota/bench/" + name));
                        zip.write(Files.readAllBytes(f));
                        zip.closeEntry();
                    }
                }
            }
        }
        return jar;
    }

    private static int featureVersion(Path jdk) throws Exception {
        String v = javaVersion(jdk);
        String digits = v.replaceAll("^\\D*(\\d+).*$", "$1");
        return Integer.parseInt(digits);
    }

    /** The JDK's release line from its {@code release} file, e.g. {@code 17.0.15}. */
    private static String javaVersion(Path jdk) throws Exception {
        return Files.readAllLines(jdk.resolve("release")).stream()
                .filter(l -> l.startsWith("JAVA_VERSION="))
                .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", ""))
                .findFirst()
                .orElse(jdk.toString());
    }
}
