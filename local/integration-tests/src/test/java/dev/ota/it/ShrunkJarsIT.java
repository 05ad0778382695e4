package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.bench.ColdStartProbe;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.template.SamTemplate;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every handler runs one sample event from its function's deployable jar
 * (functions/&lt;name&gt;/target/&lt;name&gt;-1.0.0-SNAPSHOT-lambda.jar, shaded and shrunk by ProGuard in two
 * passes), in a JVM of its own with that jar as its whole classpath, against the local stand-ins.
 * The local stack runs the functions' classes from the reactor, so this is what notices a class
 * the shrinking dropped that a handler needs. The jars exist once the functions are packaged:
 * {@code mvn verify} (scripts/test.sh) builds them before this module's tests; a run without them
 * (mvn test) skips. Beside it, the size budget of each jar.
 */
class ShrunkJarsIT {

    /** Issue 13's budget for each deployable, zipped (docs/benchmarks.md, "Artifact size"). */
    private static final long MAX_ZIPPED_BYTES = 10L * 1024 * 1024;

    private final LocalStack stack = SharedStack.get();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "version-report",
                "progress-report",
                "update-devices",
                "firmware-registration",
                "job-engine",
                "management-api"
            })
    void deployableIsAtMostTenMiBZipped(String module) throws Exception {
        Path jar =
                SharedStack.repo().resolve("functions/" + module + "/target/" + module + "-1.0.0-SNAPSHOT-lambda.jar");
        Assumptions.assumeTrue(Files.exists(jar), "not packaged (mvn verify builds it): " + jar);
        assertThat(Files.size(jar)).as("%s (scripts/measure-artifacts.sh)", jar).isLessThanOrEqualTo(MAX_ZIPPED_BYTES);
    }

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({
        // FirmwareRegistration reads S3, which a jar's default clients reach only virtual-hosted
        // ({bucket}.host): no name leads there locally. Its event is one rejected before any S3 call.
        "VersionReportFunction, version-report, report-version.json, outcome",
        "ProgressReportFunction, progress-report, progress-downloading.json, outcome",
        // The release succeeds (jobId) once another test registered DEMOPRODUCT 1.1.0, and is
        // rejected (outcome) before that: which one depends on the order the suite runs in.
        "UpdateDevicesFunction, update-devices, update-devices.json, jobId|outcome",
        "FirmwareRegistrationFunction, firmware-registration, bad/malformed-json.json, ",
        "ManagementApiFunction, management-api, management-api-list-firmware.json, statusCode",
        "JobSchedulerFunction, job-engine, job-tick-schedule.json, ",
        "JobWorkerFunction, job-engine, job-worker-sqs.json, batchItemFailures",
    })
    void handlerRunsAnEventFromItsShrunkJar(String logicalId, String module, String event, String responseField)
            throws Exception {
        Path jar =
                SharedStack.repo().resolve("functions/" + module + "/target/" + module + "-1.0.0-SNAPSHOT-lambda.jar");
        Assumptions.assumeTrue(Files.exists(jar), "not packaged (mvn verify builds it): " + jar);
        SamTemplate.FunctionSpec spec = stack.template().functions().stream()
                .filter(f -> f.logicalId().equals(logicalId))
                .findFirst()
                .orElseThrow();

        String output = run(jar, spec, SharedStack.repo().resolve("events").resolve(event));

        String line = output.lines()
                .filter(l -> l.startsWith("COLDSTART "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(output));
        var times = SharedStack.JSON.readTree(line.substring("COLDSTART ".length()));
        if (responseField != null && !responseField.isBlank()) {
            var response = times.path("response");
            assertThat(Arrays.stream(responseField.split("\\|")).anyMatch(response::has))
                    .as(output)
                    .isTrue();
        }
        assertThat(output)
                .as("a class the shrinking dropped")
                .doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
    }

    /** The handler's INIT and two invocations ({@link ColdStartProbe}), with the environment the stack gives it. */
    private String run(Path jar, SamTemplate.FunctionSpec spec, Path event) throws Exception {
        String probeClasses = ColdStartProbe.classesLocation().toString();
        String handler = spec.handler().replaceFirst("::.*$", "");
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                jar + File.pathSeparator + probeClasses,
                ColdStartProbe.class.getName(),
                handler,
                event.toString(),
                "plain");
        Map<String, String> env = pb.environment();
        Set<String> queues = stack.template().queues().stream()
                .map(SamTemplate.QueueSpec::logicalId)
                .collect(Collectors.toSet());
        Map<String, String> functionEnv = new LinkedHashMap<>(spec.environment());
        // As the stack wires its functions: !Ref of a queue is the moto queue's URL.
        functionEnv.replaceAll(
                (k, v) -> v != null && queues.contains(v) ? stack.queues().url(v) : v);
        functionEnv.values().removeIf(v -> v == null);
        env.putAll(functionEnv);
        env.put("FIRMWARE_BUCKET", stack.bucket());
        env.put("IOT_DATA_ENDPOINT", stack.aws().iotDataEndpoint().toString());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "localsecret");
        // moto serves DynamoDB, SQS, EventBridge, Secrets Manager and the IoT control plane.
        env.put("AWS_ENDPOINT_URL", stack.aws().dynamoDbEndpoint().toString());
        env.put("AWS_ENDPOINT_URL_S3", stack.aws().s3Endpoint().toString());
        pb.redirectErrorStream(true);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }
}
