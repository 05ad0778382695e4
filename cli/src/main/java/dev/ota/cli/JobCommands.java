package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ota job ...}: update jobs. */
@Command(name = "job", description = "Create, watch and control update jobs; per-device retry and cancel.",
        subcommands = {JobCommands.Create.class, JobCommands.Status.class, JobCommands.Watch.class, JobCommands.ListCmd.class,
                JobCommands.Devices.class, JobCommands.Pause.class, JobCommands.Resume.class, JobCommands.Cancel.class,
                JobCommands.DeviceRetry.class, JobCommands.DeviceCancel.class})
final class JobCommands implements Runnable {

    static final Set<String> TERMINAL = Set.of("COMPLETED", "CANCELED", "ABORTED");

    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @ParentCommand
    OtaCli root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: create, status, watch, list, devices, pause, resume, cancel, device-retry or device-cancel");
    }

    abstract static class Leaf implements Callable<Integer> {
        @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @ParentCommand
        JobCommands parent;

        @Spec
        CommandSpec spec;

        OtaCli root() {
            return parent.root;
        }

        CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    /** {@code /jobs/{jobId}} (encoded) followed by fixed segments such as {@code statistics}. */
    static String jobPath(String jobId, String... fixed) {
        List<String> segments = new ArrayList<>(List.of("=jobs", jobId));
        for (String f : fixed) {
            segments.add("=" + f);
        }
        return Api.path(segments.toArray(String[]::new));
    }

    /**
     * A stage as typed: {@code SIZE[,success=P][,failure=P][,min=N][,on-failure=pause|abort]} where SIZE
     * is a device count ({@code 50}) or a percent of the targets ({@code 5%}).
     */
    static ObjectNode stage(String spec) {
        String[] parts = spec.split(",");
        ObjectNode stage = Api.JSON.createObjectNode();
        String size = parts[0].trim();
        try {
            if (size.endsWith("%")) {
                stage.put("percent", Integer.parseInt(size.substring(0, size.length() - 1)));
            } else if (!size.isEmpty() && !size.contains("=")) {
                stage.put("deviceCount", Integer.parseInt(size));
            } else {
                throw new IllegalArgumentException("a stage starts with its size: a device count (50) or a percent (5%)");
            }
            int success = 90;
            int failure = 10;
            int min = 1;
            String onFailure = "PAUSE";
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("'" + parts[i] + "' is not key=value");
                }
                String value = kv[1].trim().replace("%", "");
                switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
                    case "success" -> success = Integer.parseInt(value);
                    case "failure" -> failure = Integer.parseInt(value);
                    case "min" -> min = Integer.parseInt(value);
                    case "on-failure" -> {
                        onFailure = value.toUpperCase(Locale.ROOT);
                        if (!onFailure.equals("PAUSE") && !onFailure.equals("ABORT")) {
                            throw new IllegalArgumentException("on-failure is pause or abort");
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown stage setting '" + kv[0] + "' (success, failure, min, on-failure)");
                }
            }
            stage.put("successThresholdPercent", success).put("failureThresholdPercent", failure).put("minDevicesForFailure", min)
                    .put("onFailure", onFailure);
            return stage;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "' has a number that is not a whole number");
        }
    }

    @Command(name = "create", description = {
            "Create an update job: bring devices of a product to a firmware version.",
            "Targets (exactly one): --source-versions, --devices (optionally narrowed by --source-versions), "
                    + "--device-file (uploaded first; one device name per line), or --whole-product.",
            "Prints the job with its per-state counts; --watch follows it live."})
    static final class Create extends Leaf {
        @Option(names = "--product", required = true, paramLabel = "PRODUCT_ID")
        String product;

        @Option(names = "--version", required = true, paramLabel = "VERSION", description = "Target firmware version (must be AVAILABLE).")
        String version;

        @Option(names = "--source-versions", split = ",", paramLabel = "V1,V2", description = "Devices currently on these versions.")
        List<String> sourceVersions;

        @Option(names = "--devices", split = ",", paramLabel = "D1,D2", description = "These devices (up to 10,000; more: --device-file).")
        List<String> devices;

        @Option(names = "--device-file", paramLabel = "FILE", description = "A file of device names, one per line (any size; uploaded to S3).")
        Path deviceFile;

        @Option(names = "--whole-product", description = "Every device of the product.")
        boolean wholeProduct;

        @Option(names = "--dynamic", description = "Also update devices that qualify later (e.g. report a source version); runs until ended.")
        boolean dynamic;

        @Option(names = "--rate", paramLabel = "PER_MINUTE", description = "Devices released per minute, 1-100000.")
        Integer rate;

        @Option(names = "--ramp-base", paramLabel = "PER_MINUTE", description = "Exponential ramp: start at this rate ...")
        Integer rampBase;

        @Option(names = "--ramp-factor", paramLabel = "F", description = "... multiply it by F ...")
        Double rampFactor;

        @Option(names = "--ramp-every", paramLabel = "N", description = "... each time N more devices succeeded, up to --rate.")
        Integer rampEvery;

        @Option(names = "--stage", paramLabel = "SPEC", description = {
                "A staged group, in order (repeat for more): SIZE[,success=P][,failure=P][,min=N][,on-failure=pause|abort]. "
                        + "SIZE is a device count (50) or a percent of the targets (5%%); the last group takes the rest. "
                        + "Defaults: success=90 (%% of the group that must succeed before the next group starts), failure=10 "
                        + "(%% failed, once min devices finished, that pauses or aborts the job), min=1, on-failure=pause."})
        List<String> stages;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class,
                description = "In-progress timeout per device (e.g. 10m, 1h).")
        Duration timeout;

        @Option(names = "--retries", paramLabel = "N", description = "Retries after a failed attempt (attempts = N + 1).")
        Integer retries;

        @Option(names = "--retry-interval", paramLabel = "DURATION", converter = Durations.class, description = "Wait before a retry (e.g. 60s).")
        Duration retryInterval;

        @Option(names = "--retryable-codes", split = ",", paramLabel = "CODES", description = "Result codes worth a retry, e.g. -1,-3,-4 (of -1..-5).")
        List<Integer> retryableCodes;

        @Option(names = "--start", paramLabel = "TIME", description = "Scheduled start, ISO-8601 UTC (2026-04-01T02:00:00Z).")
        String start;

        @Option(names = "--end", paramLabel = "TIME", description = "Scheduled end, ISO-8601 UTC.")
        String end;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        @Option(names = "--watch", description = "Then follow the job like 'ota job watch'.")
        boolean watch;

        @Option(names = "--dry-run", description = "Print the request that would be sent, and send nothing.")
        boolean dryRun;

        /** The POST /jobs body for these options (the device file's key filled in later). */
        ObjectNode request(String deviceListKey) {
            int kinds = (devices != null ? 1 : 0) + (deviceFile != null ? 1 : 0) + (wholeProduct ? 1 : 0);
            if (kinds > 1 || (kinds == 0 && sourceVersions == null)) {
                throw usage("give exactly one target: --source-versions, --devices, --device-file or --whole-product"
                        + " (--source-versions may narrow --devices)");
            }
            if (sourceVersions != null && (deviceFile != null || wholeProduct)) {
                throw usage("--source-versions goes alone or with --devices");
            }
            ObjectNode body = Api.JSON.createObjectNode().put("productId", product).put("targetVersion", version);
            ObjectNode targets = body.putObject("targets");
            if (devices != null) {
                targets.put("type", "DEVICE_LIST");
                devices.forEach(targets.putArray("deviceNames")::add);
                if (sourceVersions != null) {
                    sourceVersions.forEach(targets.putArray("sourceVersions")::add);
                }
            } else if (deviceFile != null) {
                targets.put("type", "DEVICE_LIST_FILE").put("deviceListS3Key", deviceListKey);
            } else if (wholeProduct) {
                targets.put("type", "PRODUCT");
            } else {
                targets.put("type", "SOURCE_VERSIONS");
                sourceVersions.forEach(targets.putArray("sourceVersions")::add);
            }
            if (dynamic) {
                body.put("dynamic", true);
            }
            boolean ramp = rampBase != null || rampFactor != null || rampEvery != null;
            if (ramp && (rampBase == null || rampFactor == null || rampEvery == null)) {
                throw usage("an exponential ramp needs all of --ramp-base, --ramp-factor and --ramp-every");
            }
            if (ramp && rate == null) {
                throw usage("--ramp-* needs --rate (the rate the ramp grows to)");
            }
            if (rate != null) {
                ObjectNode rollout = body.putObject("rollout").put("ratePerMinute", rate);
                if (ramp) {
                    rollout.put("rampBaseRatePerMinute", rampBase).put("rampFactor", rampFactor).put("rampEveryDevices", rampEvery);
                }
            }
            if (stages != null) {
                ArrayNode array = body.putArray("stages");
                for (String s : stages) {
                    try {
                        array.add(stage(s));
                    } catch (IllegalArgumentException e) {
                        throw usage("--stage " + s + ": " + e.getMessage());
                    }
                }
            }
            if (start != null) {
                body.put("startAt", instant("--start", start));
            }
            if (end != null) {
                body.put("endAt", instant("--end", end));
            }
            if (timeout != null) {
                body.put("inProgressTimeoutSeconds", timeout.toSeconds());
            }
            if (retries != null || retryInterval != null || retryableCodes != null) {
                if (retries == null) {
                    throw usage("--retry-interval and --retryable-codes need --retries");
                }
                if (retries < 0) {
                    throw usage("--retries must be 0 or more");
                }
                ObjectNode retry = body.putObject("retry").put("maxAttempts", retries + 1);
                if (retryableCodes != null) {
                    retryableCodes.forEach(retry.putArray("retryableCodes")::add);
                }
                if (retryInterval != null) {
                    retry.put("intervalSeconds", retryInterval.toSeconds());
                }
            }
            if (description != null) {
                body.put("description", description);
            }
            return body;
        }

        private String instant(String option, String text) {
            try {
                return Instant.parse(text).toString();
            } catch (DateTimeParseException e) {
                throw usage(option + " '" + text + "' is not an ISO-8601 UTC time such as 2026-04-01T02:00:00Z");
            }
        }

        @Override
        public Integer call() throws Exception {
            OtaCli root = root();
            ObjectNode body = request("device-lists/<uploaded>");
            if (dryRun) {
                root.environment().out().println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
                return ExitCodes.OK;
            }
            Api api = root.api();
            if (deviceFile != null) {
                if (!Files.isRegularFile(deviceFile)) {
                    throw new CliException(ExitCodes.USAGE, "no such file: " + deviceFile);
                }
                JsonNode upload = api.post("/device-lists", Api.JSON.createObjectNode().put("productId", product));
                long size = Files.size(deviceFile);
                ProgressBar bar = root.bar("device list", size);
                api.putPresigned(upload.path("url").asText(), size, () -> counted(deviceFile, bar), "the device list");
                bar.finish();
                ((ObjectNode) body.get("targets")).put("deviceListS3Key", upload.path("s3Key").asText());
            }
            JsonNode job = api.post("/jobs", body);
            if (watch) {
                return Watch.follow(root, api, job.path("jobId").asText(), Duration.ofSeconds(2), null);
            }
            root.print(job, () -> Text.job(root.environment().out(), job));
            return ExitCodes.OK;
        }

        private static InputStream counted(Path file, ProgressBar bar) {
            try {
                return new java.io.FilterInputStream(Files.newInputStream(file)) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) {
                            bar.advance(n);
                        }
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "status", description = "Show a job: state, stage, per-state device counts and a progress bar.")
    static final class Status extends Leaf {
        @Parameters(index = "0", paramLabel = "JOB_ID")
        String jobId;

        @Override
        public Integer call() {
            OtaCli root = root();
            Api api = root.api();
            JsonNode job = api.get(jobPath(jobId), Map.of());
            JsonNode stats = api.get(jobPath(jobId, "statistics"), Map.of());
            ObjectNode both = Api.JSON.createObjectNode();
            both.set("job", job);
            both.set("statistics", stats);
            root.print(both, () -> {
                Text.job(root.environment().out(), ((ObjectNode) job.deepCopy()).set("counts", stats.path("counts")));
                root.environment().out().printf("succeeded %d  failed %d  in progress %d  queued %d  retries %d%n",
                        stats.path("succeeded").asLong(), stats.path("failed").asLong(), stats.path("inProgress").asLong(),
                        stats.path("queued").asLong(), stats.path("retries").asLong());
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "watch", description = {
            "Follow a job live: per-state counts and a progress bar until it ends. "
                    + "Exit 0 when it COMPLETED, 1 when it was ABORTED or CANCELED, 5 after --timeout."})
    static final class Watch extends Leaf {
        @Parameters(index = "0", paramLabel = "JOB_ID")
        String jobId;

        @Option(names = "--interval", paramLabel = "DURATION", converter = Durations.class, defaultValue = "2s",
                description = "Time between polls (default: ${DEFAULT-VALUE}).")
        Duration interval;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class, description = "Give up after this long (exit 5).")
        Duration timeout;

        @Override
        public Integer call() {
            OtaCli root = root();
            return follow(root, root.api(), jobId, interval, timeout);
        }

        static int follow(OtaCli root, Api api, String jobId, Duration interval, Duration timeout) {
            CliEnvironment env = root.environment();
            Instant deadline = timeout == null ? null : env.clock().instant().plus(timeout);
            String last = null;
            JsonNode job;
            while (true) {
                job = api.get(jobPath(jobId), Map.of());
                JsonNode stats = api.get(jobPath(jobId, "statistics"), Map.of());
                String state = job.path("state").asText();
                String line = String.format("%-11s %s  %s", state, Text.progress(stats.path("counts"), stats.path("targetCount").asLong()),
                        Text.counts(stats.path("counts")));
                if (!root.json() || root.progress()) {
                    if (env.terminal()) {
                        env.err().print("\r" + line + "\u001b[K");
                        env.err().flush();
                    } else if (!line.equals(last)) {
                        env.err().println(line);
                    }
                }
                last = line;
                if (TERMINAL.contains(state)) {
                    if (env.terminal()) {
                        env.err().println();
                    }
                    break;
                }
                if (deadline != null && env.clock().instant().isAfter(deadline)) {
                    if (env.terminal()) {
                        env.err().println();
                    }
                    throw new CliException(ExitCodes.TIMEOUT, "job " + jobId + " is still " + state + " after " + timeout.toSeconds() + " s");
                }
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CliException(ExitCodes.INTERRUPTED, "interrupted");
                }
            }
            JsonNode finalJob = job;
            root.print(finalJob, () -> Text.job(env.out(), finalJob));
            return "COMPLETED".equals(finalJob.path("state").asText()) ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    @Command(name = "list", description = "List jobs (of one product with --product).")
    static final class ListCmd extends Leaf {
        @Option(names = "--product", paramLabel = "PRODUCT_ID")
        String product;

        @Option(names = "--limit", paramLabel = "N")
        Integer limit;

        @Option(names = "--next-token", paramLabel = "TOKEN")
        String nextToken;

        @Option(names = "--all", description = "Follow nextToken to the end.")
        boolean all;

        @Override
        public Integer call() {
            OtaCli root = root();
            JsonNode page = Pages.fetch(root.api(), "/jobs", Api.query("productId", product), limit, nextToken, all);
            root.print(page, () -> {
                List<List<String>> rows = new ArrayList<>();
                page.path("items").forEach(j -> rows.add(Text.jobRow(j)));
                Text.table(root.environment().out(), Text.JOB_HEADERS, rows);
                Pages.printToken(root, page);
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "devices", description = "The job's devices: status, percent, result code and message, versions, last update.")
    static final class Devices extends Leaf {
        @Parameters(index = "0", paramLabel = "JOB_ID")
        String jobId;

        @Option(names = "--status", paramLabel = "STATUS", description = "Only devices in this status (QUEUED, DELIVERED, DOWNLOADING, BURNING, RETRY_PENDING, SUCCEEDED, FAILED, TIMED_OUT, CANCELED).")
        String status;

        @Option(names = "--limit", paramLabel = "N")
        Integer limit;

        @Option(names = "--next-token", paramLabel = "TOKEN")
        String nextToken;

        @Option(names = "--all", description = "Follow nextToken to the end.")
        boolean all;

        @Override
        public Integer call() {
            OtaCli root = root();
            JsonNode page = Pages.fetch(root.api(), jobPath(jobId, "devices"),
                    Api.query("status", status == null ? null : status.toUpperCase(Locale.ROOT)), limit, nextToken, all);
            root.print(page, () -> {
                List<List<String>> rows = new ArrayList<>();
                page.path("items").forEach(e -> rows.add(Text.executionRow(e)));
                Text.table(root.environment().out(), Text.EXECUTION_HEADERS, rows);
                Pages.printToken(root, page);
            });
            return ExitCodes.OK;
        }
    }

    abstract static class JobAction extends Leaf {
        @Parameters(index = "0", paramLabel = "JOB_ID")
        String jobId;

        abstract String action();

        @Override
        public Integer call() {
            OtaCli root = root();
            JsonNode job = root.api().post(jobPath(jobId, action()), null);
            root.print(job, () -> Text.job(root.environment().out(), job));
            return ExitCodes.OK;
        }
    }

    @Command(name = "pause", description = "Pause a job: no more devices are released until resume.")
    static final class Pause extends JobAction {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", description = "Resume a paused job.")
    static final class Resume extends JobAction {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "cancel", description = "Cancel a job: no device gets update_firmware for it afterwards.")
    static final class Cancel extends JobAction {
        @Override
        String action() {
            return "cancel";
        }
    }

    abstract static class DeviceAction extends Leaf {
        @Parameters(index = "0", paramLabel = "JOB_ID")
        String jobId;

        @Parameters(index = "1", paramLabel = "DEVICE_NAME")
        String device;

        abstract String action();

        @Override
        public Integer call() {
            OtaCli root = root();
            JsonNode execution = root.api().post(Api.path("=jobs", jobId, "=devices", device, "=" + action()), null);
            root.print(execution, () -> Text.execution(root.environment().out(), execution));
            return ExitCodes.OK;
        }
    }

    @Command(name = "device-retry", description = "Give one device of the job a new attempt.")
    static final class DeviceRetry extends DeviceAction {
        @Override
        String action() {
            return "retry";
        }
    }

    @Command(name = "device-cancel", description = "Cancel one device's update in the job.")
    static final class DeviceCancel extends DeviceAction {
        @Override
        String action() {
            return "cancel";
        }
    }
}
