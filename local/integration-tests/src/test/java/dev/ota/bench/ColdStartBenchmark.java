package dev.ota.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Cold start of each device-path function, measured as Lambda would pay it: a fresh JVM per run,
 * the function's own deployable jar as the whole classpath, handler construction (INIT) and the
 * first invocation against the local stand-ins. Beside it, the same for a bare JVM running a no-op
 * handler ({@link NoOpHandler}, only the Lambda interface on its classpath): the ratio of the two
 * times from process start to the first response is the cold start's cost over the JVM's own.
 * Not part of the default test run (docs/benchmarks.md has the command). Writes target/cold-start.md.
 */
class ColdStartBenchmark {

    /** Fresh JVMs per figure (the median is reported): {@code -Dota.coldstart.runs}, 5 unless set. */
    private static final int RUNS = Integer.getInteger("ota.coldstart.runs", 5);

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void measureColdStarts() throws Exception {
        Path repo = RepoRoot.find();
        try (LocalStack stack = LocalStack.start()) {
            // The JVM options every function deploys with, passed as Lambda passes them (the
            // JAVA_TOOL_OPTIONS environment variable), to the baseline and the functions alike.
            String templateOptions = stack.template().functions().stream()
                    .filter(f -> f.logicalId().equals("ProgressReportFunction"))
                    .findFirst()
                    .orElseThrow()
                    .environment()
                    .getOrDefault("JAVA_TOOL_OPTIONS", "");
            // Trying other options without editing the template: -Dota.coldstart.jvmOptions="...".
            String jvmOptions = System.getProperty("ota.coldstart.jvmOptions", templateOptions);
            byte[] firmware = new byte[200_000];
            new Random(7).nextBytes(firmware);
            String key = "firmware/BENCH/1.1.0/firmware.bin";
            try (S3Client s3 = stack.aws().s3()) {
                s3.putObject(r -> r.bucket(LocalStack.BUCKET).key(key), RequestBody.fromBytes(firmware));
            }
            stack.invoke(
                    "FirmwareRegistrationFunction",
                    ("{\"productId\":\"BENCH\",\"version\":\"1.1.0\",\"s3Key\":\"" + key + "\"}")
                            .getBytes(StandardCharsets.UTF_8));
            stack.invoke(
                    "UpdateDevicesFunction",
                    "{\"productId\":\"BENCH\",\"version\":\"1.1.0\",\"deviceNames\":[\"bench-1\"]}"
                            .getBytes(StandardCharsets.UTF_8));

            Path events = Files.createTempDirectory("coldstart");
            long now = System.currentTimeMillis();
            Map<String, String[]> cases = new LinkedHashMap<>();
            cases.put("progress-report", new String[] {
                "dev.ota.function.progressreport.ProgressReportHandler",
                write(
                        events,
                        "progress.json",
                        "{\"type\":\"report_progress\",\"report\":{\"progress\":{\"state\":\"downloading\",\"percent\":\"10\",\"result_code\":\"0\",\"result_msg\":\"\"},\"version\":\"1.1.0\"},\"productId\":\"BENCH\",\"deviceName\":\"bench-1\",\"clientId\":\"BENCH::bench-1\",\"receivedAt\":"
                                + now + "}")
            });
            cases.put("version-report", new String[] {
                "dev.ota.function.versionreport.VersionReportHandler",
                write(
                        events,
                        "version.json",
                        "{\"type\":\"report_version\",\"report\":{\"version\":\"1.0.0\"},\"productId\":\"BENCH\",\"deviceName\":\"bench-1\",\"clientId\":\"BENCH::bench-1\",\"receivedAt\":"
                                + now + "}")
            });
            cases.put("update-devices", new String[] {
                "dev.ota.function.updatedevices.UpdateDevicesHandler",
                write(
                        events,
                        "update.json",
                        "{\"productId\":\"BENCH\",\"version\":\"1.1.0\",\"deviceNames\":[\"bench-2\"]}")
            });

            Path lambdaCore = Path.of(RequestStreamHandler.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path noOpEvent = Path.of(write(events, "noop.json", "{}"));
            // The baseline's runs are interleaved with the functions' (one before each), so that the
            // machine's load weighs on both sides of the ratio alike.
            List<JsonNode> noOpRuns = new ArrayList<>();
            Runnable noOpRun = () -> {
                try {
                    noOpRuns.add(probe(
                            stack, jvmOptions, lambdaCore, NoOpHandler.class.getName(), noOpEvent.toString(), "plain"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            record Row(String function, List<JsonNode> runs, List<JsonNode> primed) {}
            List<Row> rows = new ArrayList<>();

            // A subset, e.g. -Dota.coldstart.functions=progress-report (all three unless set).
            String only = System.getProperty("ota.coldstart.functions");
            if (only != null) {
                cases.keySet().retainAll(List.of(only.split(",")));
            }
            for (Map.Entry<String, String[]> c : cases.entrySet()) {
                String jarName = c.getKey() + "-1.0.0-SNAPSHOT-lambda.jar";
                // Jars kept from another build, to compare two builds under the same load:
                // -Dota.coldstart.jars=<directory holding the <name>-1.0.0-SNAPSHOT-lambda.jar files>.
                String jarsDir = System.getProperty("ota.coldstart.jars");
                Path jar = jarsDir != null
                        ? Path.of(jarsDir).resolve(jarName)
                        : repo.resolve("functions/" + c.getKey() + "/target/" + jarName);
                assertThat(jar)
                        .as("build the functions first: mvn -B -DskipTests package")
                        .exists();
                List<JsonNode> runs = new ArrayList<>();
                List<JsonNode> primed = new ArrayList<>();
                for (int i = 0; i < RUNS; i++) {
                    noOpRun.run();
                    runs.add(probe(stack, jvmOptions, jar, c.getValue()[0], c.getValue()[1], "plain"));
                    primed.add(probe(stack, jvmOptions, jar, c.getValue()[0], c.getValue()[1], "primed"));
                }
                assertThat(runs)
                        .allSatisfy(r -> assertThat(
                                        r.path("response").path("outcome").asText(""))
                                .isNotEqualTo("REJECTED"));
                rows.add(new Row(c.getKey(), runs, primed));
            }
            double noOp = medianValue(noOpRuns, "spawnToFirstResponseMs");
            StringBuilder table = new StringBuilder(
                    "| function | process start to first response (ms) | × bare JVM no-op handler | JVM start to main (ms) | INIT: handler construction (ms) | first invocation (ms) | warm invocation (ms) | first invocation after SnapStart priming (ms) |\n|---|---|---|---|---|---|---|---|\n");
            table.append(String.format(
                    "| bare JVM, no-op handler | %.0f | 1.0 | %s | %s | %s | %s | |%n",
                    noOp,
                    median(noOpRuns, "jvmToMainMs"),
                    median(noOpRuns, "initMs"),
                    median(noOpRuns, "firstInvokeMs"),
                    median(noOpRuns, "warmInvokeMs")));
            for (Row row : rows) {
                double total = medianValue(row.runs(), "spawnToFirstResponseMs");
                table.append(String.format(
                        "| %s | %.0f | %.1f | %s | %s | %s | %s | %s |%n",
                        row.function(),
                        total,
                        total / noOp,
                        median(row.runs(), "jvmToMainMs"),
                        median(row.runs(), "initMs"),
                        median(row.runs(), "firstInvokeMs"),
                        median(row.runs(), "warmInvokeMs"),
                        median(row.primed(), "firstInvokeMs")));
            }
            String report = "Median of " + RUNS + " fresh JVMs (" + System.getProperty("java.vm.name") + " "
                    + System.getProperty("java.version") + ", JAVA_TOOL_OPTIONS=\"" + jvmOptions
                    + "\" as in template.yaml), " + Runtime.getRuntime().availableProcessors() + " cores:\n\n" + table;
            Files.writeString(repo.resolve("local/integration-tests/target/cold-start.md"), report);
            System.out.println(report);
        }
    }

    private static String write(Path dir, String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file.toString();
    }

    private static JsonNode probe(
            LocalStack stack, String jvmOptions, Path jar, String handler, String event, String mode) throws Exception {
        String probeClasses = ColdStartProbe.classesLocation().toString();
        return probe(
                stack,
                Path.of(System.getProperty("java.home")),
                List.of(),
                jvmOptions,
                jar + java.io.File.pathSeparator + probeClasses,
                handler,
                event,
                mode);
    }

    /**
     * One fresh JVM of {@code javaHome} running {@link ColdStartProbe} on {@code classpath}, with
     * {@code jvmOptions} in JAVA_TOOL_OPTIONS (as Lambda passes them) and {@code commandLineOptions}
     * before the class name; the probe's times plus {@code spawnToFirstResponseMs}.
     */
    static JsonNode probe(
            LocalStack stack,
            Path javaHome,
            List<String> commandLineOptions,
            String jvmOptions,
            String classpath,
            String handler,
            String event,
            String mode)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.addAll(commandLineOptions);
        command.addAll(List.of("-cp", classpath, ColdStartProbe.class.getName(), handler, event, mode));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("JAVA_TOOL_OPTIONS", jvmOptions);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "localsecret");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", stack.aws().dynamoDbEndpoint().toString());
        env.put("DEVICES_TABLE", "DevicesTable");
        env.put("JOBS_TABLE", "JobsTable");
        env.put("EXECUTIONS_TABLE", "ExecutionsTable");
        env.put("FIRMWARE_TABLE", "FirmwareTable");
        env.put("FIRMWARE_BUCKET", LocalStack.BUCKET);
        env.put("IOT_DATA_ENDPOINT", stack.aws().iotDataEndpoint().toString());
        env.put("UPDATE_TOPIC_TEMPLATE", "ota/update/{productId}/{deviceName}");
        pb.redirectErrorStream(true);
        long spawnAt = System.currentTimeMillis();
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        String line = output.lines()
                .filter(l -> l.startsWith("COLDSTART "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(output));
        ObjectNode times = (ObjectNode) JSON.readTree(line.substring("COLDSTART ".length()));
        return times.put(
                "spawnToFirstResponseMs", times.path("firstResponseAtMs").asLong() - spawnAt);
    }

    static String median(List<JsonNode> runs, String field) {
        return String.format("%.0f", medianValue(runs, field));
    }

    static double medianValue(List<JsonNode> runs, String field) {
        double[] values = runs.stream()
                .mapToDouble(r -> r.path(field).asDouble())
                .sorted()
                .toArray();
        return values[values.length / 2];
    }
}
