package dev.ota.local.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.local.demo.Demo;
import dev.ota.local.demo.DemoOptions;
import dev.ota.local.demo.DemoSummary;
import dev.ota.local.rules.RuleRouter;
import dev.ota.local.stack.LocalScheduler;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.EmbeddedS3;
import dev.ota.local.standin.LocalAws;
import dev.ota.local.standin.RepoRoot;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The one command: starts the local OTA stack from template.yaml on fixed ports, runs the demo
 * fleet through a staged update, then keeps the stack up for real devices until Ctrl-C.
 * See docs/local.md.
 *
 * <p>Exit status: 0 when the demo's outcome is as designed (every device that should update did,
 * the deliberately broken one failed), 1 when it is not, 2 for a bad command line, 3 when the stack
 * could not start. With {@code --no-demo} Ctrl-C ends it with 0.
 */
@Command(
        name = "ota-local",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Runs the OTA backend on this machine, with no AWS account and no Docker: an MQTT broker, S3 and"
                + " DynamoDB stand-ins, an IoT Data Plane endpoint, and the functions of template.yaml behind its own IoT"
                + " rule SQL. Then a demo fleet goes through a staged update 1.0.0 -> 1.1.0, and the stack stays up for real"
                + " devices until Ctrl-C. See docs/local.md.",
        footer = {
            "",
            "Exit status: 0 when the demo went as designed (every device that should update did, the broken one"
                    + " failed), 1 when it did not, 2 for a bad command line, 3 when the stack could not start."
        })
public final class LocalMain implements Callable<Integer> {

    public static final int DEFAULT_MQTT_PORT = 1883;
    public static final int DEFAULT_S3_PORT = 9000;
    public static final int DEFAULT_S3_BUCKET_PORT = 9001;
    public static final int DEFAULT_DYNAMODB_PORT = 8000;
    public static final int DEFAULT_IOT_DATA_PORT = 8088;
    public static final int DEFAULT_ADMIN_PORT = 8089;
    /** The management API (the template's HttpApi), where `ota --endpoint` points. */
    public static final int DEFAULT_API_PORT = 8090;
    /** Presigned URLs live this long while the demo runs, so its "URL expired" devices take seconds, not an hour. */
    public static final int DEMO_URL_EXPIRY_SECONDS = 5;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this help")
    boolean help;

    @Option(
            names = "--mqtt-port",
            paramLabel = "PORT",
            description = "MQTT broker (plain TCP) port; 0 = any free port (default ${DEFAULT-VALUE})")
    int mqttPort = DEFAULT_MQTT_PORT;

    @Option(
            names = "--mqtts-port",
            paramLabel = "PORT",
            description =
                    "MQTT broker mutual-TLS port, as AWS IoT Core's 8883: devices present the certificate `ota device register` issued; 0 = any free port (default ${DEFAULT-VALUE})")
    int mqttsPort = 8883;

    @Option(
            names = "--s3-port",
            paramLabel = "PORT",
            description = "S3 stand-in (s3proxy) port (default ${DEFAULT-VALUE})")
    int s3Port = DEFAULT_S3_PORT;

    @Option(
            names = "--s3-bucket-port",
            paramLabel = "PORT",
            description =
                    "the firmware bucket's own endpoint, where presigned download URLs point (default ${DEFAULT-VALUE})")
    int s3BucketPort = DEFAULT_S3_BUCKET_PORT;

    @Option(
            names = "--dynamodb-port",
            paramLabel = "PORT",
            description = "DynamoDB stand-in (moto_server) port (default ${DEFAULT-VALUE})")
    int dynamoDbPort = DEFAULT_DYNAMODB_PORT;

    @Option(
            names = "--iot-data-port",
            paramLabel = "PORT",
            description = "IoT Data Plane Publish endpoint port (default ${DEFAULT-VALUE})")
    int iotDataPort = DEFAULT_IOT_DATA_PORT;

    @Option(
            names = "--admin-port",
            paramLabel = "PORT",
            description = "local admin HTTP endpoint port (default ${DEFAULT-VALUE})")
    int adminPort = DEFAULT_ADMIN_PORT;

    @Option(
            names = "--api-port",
            paramLabel = "PORT",
            description = "management API (HttpApi, SigV4) port, for `ota --endpoint` (default ${DEFAULT-VALUE})")
    int apiPort = DEFAULT_API_PORT;

    @Option(
            names = "--schedule-speedup",
            paramLabel = "N",
            description = "run the template's schedule N times as often: rate(1 minute) / 120 = every 0.5 s"
                    + " (default ${DEFAULT-VALUE}; 1 = as on AWS)")
    int scheduleSpeedup = LocalScheduler.DEFAULT_SPEEDUP;

    @Option(names = "--devices", paramLabel = "N", description = "demo fleet size (default ${DEFAULT-VALUE})")
    int devices = DemoOptions.DEFAULT_DEVICES;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "seed of the firmware bytes and of every network fault (default ${DEFAULT-VALUE})")
    long seed = DemoOptions.DEFAULT_SEED;

    @Option(names = "--no-demo", description = "only start the stack")
    boolean noDemo;

    @Option(names = "--exit-after-demo", description = "stop after the demo's summary instead of staying up")
    boolean exitAfterDemo;

    @Option(
            names = "--url-expiry-seconds",
            paramLabel = "SECONDS",
            description = "template parameter UrlExpirySeconds (default: " + DEMO_URL_EXPIRY_SECONDS
                    + " with the demo, the template's own without)")
    Integer urlExpirySeconds;

    @Option(
            names = "--ready-file",
            paramLabel = "FILE",
            description = "write the endpoints as JSON to FILE once the stack is up")
    Path readyFile;

    @Option(
            names = "--log-dir",
            paramLabel = "DIR",
            description = "where the functions' log lines go (default: .local-stack/ in the repository)")
    Path logDir;

    @Option(names = "--plain", description = "plain periodic progress lines even on a terminal")
    boolean plain;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final ObjectMapper json = new ObjectMapper();

    public static void main(String[] args) {
        int code = new CommandLine(new LocalMain())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        if (!noDemo && devices < DemoOptions.MIN_DEVICES) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--devices must be at least " + DemoOptions.MIN_DEVICES);
        }
        PrintStream console = System.out;
        Path logs = logDir != null ? logDir : RepoRoot.find().resolve(".local-stack");
        Files.createDirectories(logs);
        Path functionLog = logs.resolve("functions.log");
        // The functions log one JSON line per event to stdout, as on Lambda (where CloudWatch takes
        // them). Here they go to a file, so the console stays readable.
        PrintStream functionOut =
                new PrintStream(new FileOutputStream(functionLog.toFile(), false), true, StandardCharsets.UTF_8);
        System.setOut(functionOut);

        Map<String, String> parameters = new LinkedHashMap<>();
        Integer expiry = urlExpirySeconds != null ? urlExpirySeconds : noDemo ? null : DEMO_URL_EXPIRY_SECONDS;
        if (expiry != null) {
            parameters.put("UrlExpirySeconds", String.valueOf(expiry));
        }
        LocalAws.Ports ports = new LocalAws.Ports(s3Port, dynamoDbPort, mqttPort, iotDataPort, mqttsPort);
        console.println("Starting the local OTA stack from " + RepoRoot.find().resolve("template.yaml") + " ...");
        LocalStack stack;
        LocalAdmin admin;
        AtomicReference<JsonNode> info = new AtomicReference<>();
        try {
            stack = LocalStack.start(LocalStack.Options.defaults()
                    .withPorts(ports)
                    .withParameterOverrides(parameters)
                    .withBucketHostPort(s3BucketPort)
                    .withHttpApiPort(apiPort));
            // The job scheduler runs as long as the stack, demo or not, as EventBridge would.
            stack.runScheduler(scheduleSpeedup);
        } catch (RuntimeException e) {
            System.err.println("The local stack did not start: " + e.getMessage());
            System.err.println("(a port in use? every port has a flag, see --help; 0 picks a free one)");
            return 3;
        }
        try {
            admin = LocalAdmin.start(stack, json, adminPort, info::get);
        } catch (RuntimeException e) {
            stack.close();
            System.err.println("The local admin endpoint did not start: " + e.getMessage());
            return 3;
        }
        JsonNode endpoints = endpoints(stack, admin, functionLog, expiry);
        info.set(endpoints);
        LocalAdmin runningAdmin = admin;

        int[] exitCode = {0};
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown = new Thread(
                () -> {
                    runningAdmin.close();
                    stack.close();
                    functionOut.flush();
                    stopped.countDown();
                },
                "ota-local-shutdown");

        console.print(banner(stack, endpoints));
        console.flush();
        if (readyFile != null) {
            writeReadyFile(endpoints);
        }

        if (!noDemo) {
            DemoOptions options = DemoOptions.defaults().withDevices(devices).withSeed(seed);
            boolean live = !plain && System.console() != null;
            try {
                DemoSummary summary = new Demo(stack, options, console, live).run();
                exitCode[0] = summary.asExpected() ? 0 : 1;
            } catch (Exception e) {
                // The stack itself may still be fine: report, and go on as the flags say.
                console.println();
                console.println("The demo stopped with an error: " + e);
                e.printStackTrace(console);
                exitCode[0] = 1;
            }
            if (exitAfterDemo) {
                closeWithin(Duration.ofSeconds(20), () -> {
                    runningAdmin.close();
                    stack.close();
                });
                functionOut.flush();
                return exitCode[0];
            }
        }
        console.println();
        console.println("The stack stays up for real devices and MQTT clients (docs/local.md). Ctrl-C to stop.");
        console.flush();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            shutdown.run();
                            // The demo's outcome is the exit status even when the stack was kept up afterwards.
                            Runtime.getRuntime().halt(exitCode[0]);
                        },
                        "ota-local-exit"));
        stopped.await();
        return exitCode[0];
    }

    /**
     * Stops the stack, but never holds up the exit for longer than {@code limit}: System.exit then
     * ends what is left (moto_server's own shutdown hook still stops that process).
     */
    private static void closeWithin(Duration limit, Runnable close) throws InterruptedException {
        Thread closer = new Thread(close, "ota-local-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(limit.toMillis());
        if (closer.isAlive()) {
            System.err.println("The local stack did not stop within " + limit.toSeconds() + " s; exiting anyway.");
        }
    }

    private JsonNode endpoints(LocalStack stack, LocalAdmin admin, Path functionLog, Integer expiry) {
        ObjectNode root = json.createObjectNode();
        ObjectNode mqtt = root.putObject("mqtt");
        mqtt.put("host", "127.0.0.1").put("port", stack.aws().broker().port()).put("url", stack.mqttUrl());
        mqtt.putArray("reportTopics")
                .add("$ota/report/{productId}/{deviceName}")
                .add("ota/report/{productId}/{deviceName}");
        mqtt.putArray("updateTopics")
                .add("$ota/update/{productId}/{deviceName}")
                .add("ota/update/{productId}/{deviceName}");
        // The root CA of the TLS listener: what devices trust locally, as AmazonRootCA1.pem on AWS.
        Path caFile = functionLog.resolveSibling("ca.pem");
        try {
            Files.writeString(caFile, stack.rootCaPem(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        root.putObject("mqtts")
                .put("host", "127.0.0.1")
                .put("port", stack.aws().broker().tlsPort())
                .put("url", stack.mqttsUrl())
                .put("caFile", caFile.toAbsolutePath().toString());
        root.putObject("iot")
                .put("endpoint", stack.iotEndpoint().toString())
                .put("devicePolicy", stack.devicePolicyName());
        root.putObject("s3")
                .put("endpoint", stack.aws().s3Endpoint().toString())
                .put("bucket", LocalStack.BUCKET)
                .put("bucketEndpoint", stack.bucketHost().endpoint().toString())
                .put("accessKey", EmbeddedS3.ACCESS_KEY)
                .put("secretKey", EmbeddedS3.SECRET_KEY)
                .put("region", LocalAws.REGION.id());
        root.putObject("dynamodb")
                .put("endpoint", stack.aws().dynamoDbEndpoint().toString());
        root.putObject("iotData").put("endpoint", stack.aws().iotDataEndpoint().toString());
        root.putObject("admin").put("endpoint", admin.endpoint().toString());
        root.putObject("api")
                .put("endpoint", stack.apiEndpoint().toString())
                .put("accessKey", EmbeddedS3.ACCESS_KEY)
                .put("secretKey", EmbeddedS3.SECRET_KEY)
                .put("region", LocalAws.REGION.id());
        root.putObject("scheduler")
                .put("period", stack.scheduler().period().toString())
                .put("speedup", stack.scheduler().speedup());
        root.put("functionLog", functionLog.toAbsolutePath().toString());
        if (expiry != null) {
            root.put("urlExpirySeconds", expiry);
        }
        ArrayNode rules = root.putArray("rules");
        for (RuleRouter.Route route : stack.router().routes()) {
            ObjectNode rule = rules.addObject()
                    .put("rule", route.ruleName())
                    .put("function", route.functionName())
                    .put("sql", route.sql().sql());
            route.topicFilters().forEach(rule.withArray("topicFilters")::add);
        }
        return root;
    }

    private String banner(LocalStack stack, JsonNode e) {
        StringBuilder b = new StringBuilder();
        b.append('\n').append("OTA local stack is up.\n");
        b.append(String.format(
                "  MQTT broker       %-26s devices publish to $ota/report/{productId}/{deviceName} or ota/report/...%n",
                e.at("/mqtt/url").asText()));
        b.append(String.format(
                "  %-17s %-26s and subscribe to   $ota/update/{productId}/{deviceName} or ota/update/...%n", "", ""));
        b.append(String.format(
                "  MQTT mutual TLS   %-26s devices present the certificate `ota device register` issued; CA file %s%n",
                e.at("/mqtts/url").asText(), e.at("/mqtts/caFile").asText()));
        b.append(String.format(
                "  IoT registry      %-26s things, certificates, policy %s: the broker refuses devices not registered there%n",
                e.at("/iot/endpoint").asText(), e.at("/iot/devicePolicy").asText()));
        b.append(String.format(
                "  S3 (s3proxy)      %-26s bucket %s, path-style, key %s / secret %s%n",
                e.at("/s3/endpoint").asText(), LocalStack.BUCKET, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY));
        b.append(String.format(
                "  Firmware bucket   %-26s %s's own endpoint: download URLs are %s/{key}?X-Amz-...%n",
                e.at("/s3/bucketEndpoint").asText(),
                LocalStack.BUCKET,
                e.at("/s3/bucketEndpoint").asText()));
        b.append(String.format(
                "  DynamoDB (moto)   %-26s DevicesTable, JobsTable, ExecutionsTable, FirmwareTable%n",
                e.at("/dynamodb/endpoint").asText()));
        b.append(String.format(
                "  IoT Data Plane    %-26s POST /topics/{topic}?qos=1 (what the functions publish through)%n",
                e.at("/iotData/endpoint").asText()));
        b.append(String.format(
                "  Admin             %-26s POST /firmware/{productId}/{version}, POST /invoke/{Function}, GET /jobs/{jobId}%n",
                e.at("/admin/endpoint").asText()));
        b.append(String.format(
                "  Management API    %-26s SigV4 with key %s / secret %s: `ota --endpoint %s ...` (cli/bin/ota)%n",
                e.at("/api/endpoint").asText(),
                e.at("/api/accessKey").asText(),
                e.at("/api/secretKey").asText(),
                e.at("/api/endpoint").asText()));
        b.append(String.format(
                "  Job scheduler     every %-20s the template's rate(...) sped up %dx (--schedule-speedup)%n",
                e.at("/scheduler/period").asText().replace("PT", "").toLowerCase(Locale.ROOT),
                e.at("/scheduler/speedup").asInt()));
        b.append("  Rules (template.yaml):\n");
        for (RuleRouter.Route route : stack.router().routes()) {
            b.append(String.format(
                    "    %-20s -> %-22s on %s, or Basic Ingest %s%s%n",
                    route.ruleName(),
                    route.functionName(),
                    String.join(" and ", route.topicFilters()),
                    RuleRouter.BASIC_INGEST_PREFIX + route.ruleName() + "/",
                    route.topicFilters().get(0)));
        }
        b.append("  Function logs     ").append(e.path("functionLog").asText()).append('\n');
        if (e.has("urlExpirySeconds")) {
            b.append("  URL expiry        ")
                    .append(e.path("urlExpirySeconds").asInt())
                    .append(" s (template parameter UrlExpirySeconds)\n");
        }
        return b.toString();
    }

    private void writeReadyFile(JsonNode endpoints) throws IOException {
        Path target = readyFile.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(endpoints));
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
