package dev.ota.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.cli.Api;
import dev.ota.cli.CliException;
import dev.ota.cli.CliInput;
import dev.ota.cli.Durations;
import dev.ota.cli.ExitCodes;
import dev.ota.cli.FileSlice;
import dev.ota.cli.OtaCli;
import dev.ota.cli.ProgressBar;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.rollout.RolloutRate;
import dev.ota.domain.rollout.StagePlan;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "create",
        description = {
            "Create an update job: bring devices of a product to a firmware version.",
            "Targets (exactly one): --source-versions, --devices (optionally narrowed by --source-versions), "
                    + "--device-file (uploaded first; one device name per line), or --whole-product.",
            "Prints the job with its per-state counts; --watch follows it live.",
            "From a file: --cli-input-json file://job.json (the API's CreateJob body; --generate-cli-skeleton prints one "
                    + "to fill in); options given too override its fields."
        })
final class JobCreate extends Subcommand {
    @Option(names = "--product", paramLabel = "PRODUCT_ID", description = "Required (here or in --cli-input-json).")
    String product;

    @Option(
            names = "--version",
            paramLabel = "VERSION",
            description = "Target firmware version (must be AVAILABLE). Required (here or in --cli-input-json).")
    String version;

    @Option(
            names = "--source-versions",
            split = ",",
            paramLabel = "V1,V2",
            description = "Devices currently on these versions.")
    List<String> sourceVersions;

    @Option(
            names = "--devices",
            split = ",",
            paramLabel = "D1,D2",
            description = "These devices (up to " + JobDefinition.MAX_INLINE_DEVICES + "; more: --device-file).")
    List<String> devices;

    @Option(
            names = "--device-file",
            paramLabel = "FILE",
            description = "A file of device names, one per line (any size; uploaded to S3).")
    Path deviceFile;

    @Option(names = "--whole-product", description = "Every device of the product.")
    boolean wholeProduct;

    @Option(
            names = "--thing-group",
            paramLabel = "NAME",
            description =
                    "The product's devices among the things of this AWS IoT thing group (static: its child groups'"
                            + " too; dynamic: what its query finds), read when the job starts.")
    String thingGroup;

    @Option(
            names = "--fleet-query",
            paramLabel = "QUERY",
            description = "The product's devices among the things this fleet-indexing query finds (up to "
                    + JobDefinition.MAX_FLEET_QUERY + " characters), read when the job starts.")
    String fleetQuery;

    @Option(
            names = "--dynamic",
            description = "Also update devices that qualify later (e.g. report a source version); runs until ended.")
    boolean dynamic;

    @Option(
            names = "--rate",
            paramLabel = "PER_MINUTE",
            description = "Devices released per minute, 1-" + RolloutRate.MAX_PER_MINUTE + ".")
    Integer rate;

    @Option(names = "--ramp-base", paramLabel = "PER_MINUTE", description = "Exponential ramp: start at this rate ...")
    Integer rampBase;

    @Option(
            names = "--ramp-factor",
            paramLabel = "F",
            description = "... multiply it by F (above 1, at most " + RolloutRate.MAX_FACTOR + ") ...")
    Double rampFactor;

    @Option(
            names = "--ramp-every",
            paramLabel = "N",
            description = "... each time N more devices succeeded, up to --rate.")
    Integer rampEvery;

    @Option(
            names = "--stage",
            paramLabel = "SPEC",
            description = {
                "A staged group, in order (repeat for more, up to " + StagePlan.MAX_STAGES
                        + "): SIZE[,success=P][,failure=P][,min=N][,on-failure=pause|abort]. "
                        + "SIZE is a device count (50) or a percent of the targets (5%%); the last group takes the rest. "
                        + "Defaults: success=90 (%% of the group that must succeed before the next group starts), failure=10 "
                        + "(%% failed, once min devices finished, that pauses or aborts the job), min=1, on-failure=pause."
            })
    List<String> stages;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "In-progress timeout per device (e.g. 10m, 1h), " + JobDefinition.MIN_TIMEOUT_TEXT + " to "
                    + JobDefinition.MAX_TIMEOUT_TEXT + ".")
    Duration timeout;

    @Option(
            names = "--retries",
            paramLabel = "N",
            description = "Retries after a failed attempt, 0-" + (RetryPolicy.MAX_ATTEMPTS_LIMIT - 1)
                    + " (attempts = N + 1).")
    Integer retries;

    @Option(
            names = "--retry-interval",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "Wait before a retry (e.g. 60s).")
    Duration retryInterval;

    @Option(
            names = "--retryable-codes",
            split = ",",
            paramLabel = "CODES",
            description = "Result codes worth a retry, e.g. -1,-3,-4 (of -1..-5).")
    List<Integer> retryableCodes;

    @Option(
            names = "--start",
            paramLabel = "TIME",
            description = "Scheduled start, ISO-8601 UTC (2026-04-01T02:00:00Z).")
    String start;

    @Option(names = "--end", paramLabel = "TIME", description = "Scheduled end, ISO-8601 UTC.")
    String end;

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(names = "--watch", description = "Then follow the job like 'ota job watch'.")
    boolean watch;

    @Option(
            names = "--client-token",
            paramLabel = "TOKEN",
            description = {
                "Makes the create idempotent for " + ClientToken.VALIDITY_HOURS
                        + " hours: the same request with the same token answers "
                        + "the job it created, another request with it is refused (CLIENT_TOKEN_REUSED). 1-"
                        + ClientToken.MAX_LENGTH + " letters, digits, '-' or '_'. Default: a new UUID per run, so this "
                        + "command's own retries (after a 503) never create a second job."
            })
    String clientToken;

    @Option(names = "--dry-run", description = "Print the request that would be sent, and send nothing.")
    boolean dryRun;

    @Option(
            names = "--count-targets",
            description = {
                "Ask the API how many devices the job would target now (POST /jobs/dry-run): the request is checked "
                        + "as a create is, and nothing is created (a --device-file is uploaded, to be counted)."
            })
    boolean countTargets;

    @Mixin
    CliInput input;

    private void narrow(ObjectNode targets) {
        if (sourceVersions != null) {
            sourceVersions.forEach(targets.putArray("sourceVersions")::add);
        }
    }

    /** The POST /jobs body for these options (the device file's key filled in later). */
    ObjectNode request(String deviceListKey) {
        return request(deviceListKey, Api.JSON.createObjectNode());
    }

    /** The POST /jobs body: {@code base} (from --cli-input-json) with the options given on top. */
    ObjectNode request(String deviceListKey, ObjectNode base) {
        int kinds = (devices != null ? 1 : 0)
                + (deviceFile != null ? 1 : 0)
                + (wholeProduct ? 1 : 0)
                + (thingGroup != null ? 1 : 0)
                + (fleetQuery != null ? 1 : 0);
        boolean targetOptions = kinds > 0 || sourceVersions != null;
        if (kinds > 1 || (!targetOptions && !base.has("targets"))) {
            throw usage("give exactly one target: --source-versions, --devices, --device-file, --whole-product,"
                    + " --thing-group or --fleet-query (--source-versions may narrow --devices, --device-file,"
                    + " --thing-group and --fleet-query)");
        }
        if (sourceVersions != null && wholeProduct) {
            throw usage("--source-versions does not go with --whole-product");
        }
        ObjectNode body = base;
        if (product != null) {
            body.put("productId", product);
        }
        if (version != null) {
            body.put("targetVersion", version);
        }
        if (!body.hasNonNull("productId") || !body.hasNonNull("targetVersion")) {
            throw usage("--product and --version are required (or productId and targetVersion in --cli-input-json)");
        }
        if (clientToken != null) {
            body.put("clientToken", clientToken);
        }
        if (targetOptions) {
            fillTargets(body.putObject("targets"), deviceListKey);
        }
        return options(body);
    }

    private void fillTargets(ObjectNode targets, String deviceListKey) {
        if (devices != null) {
            targets.put("type", "DEVICE_LIST");
            devices.forEach(targets.putArray("deviceNames")::add);
            if (sourceVersions != null) {
                sourceVersions.forEach(targets.putArray("sourceVersions")::add);
            }
        } else if (deviceFile != null) {
            targets.put("type", "DEVICE_LIST_FILE").put("deviceListS3Key", deviceListKey);
            narrow(targets);
        } else if (thingGroup != null) {
            targets.put("type", "THING_GROUP").put("thingGroupName", thingGroup);
            narrow(targets);
        } else if (fleetQuery != null) {
            targets.put("type", "FLEET_QUERY").put("fleetQuery", fleetQuery);
            narrow(targets);
        } else if (wholeProduct) {
            targets.put("type", "PRODUCT");
        } else {
            targets.put("type", "SOURCE_VERSIONS");
            sourceVersions.forEach(targets.putArray("sourceVersions")::add);
        }
    }

    private ObjectNode options(ObjectNode body) {
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
                rollout.put("rampBaseRatePerMinute", rampBase)
                        .put("rampFactor", rampFactor)
                        .put("rampEveryDevices", rampEvery);
            }
        }
        if (stages != null) {
            ArrayNode array = body.putArray("stages");
            for (String s : stages) {
                try {
                    array.add(StageSpec.parse(s));
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
        if (input.skeletonWanted()) {
            return input.printSkeleton(root, "create-job");
        }
        ObjectNode body = request("device-lists/<uploaded>", input.body());
        if (dryRun) {
            // The request as JSON in every output format (--query and --output table apply to it too).
            return show(body, (out, b) -> out.println(b.toPrettyString()));
        }
        Api api = root.api();
        if (deviceFile != null) {
            if (!Files.isRegularFile(deviceFile)) {
                throw new CliException(ExitCodes.USAGE, "no such file: " + deviceFile);
            }
            JsonNode upload =
                    api.post("/device-lists", Api.JSON.createObjectNode().put("productId", product));
            long size = Files.size(deviceFile);
            ProgressBar bar = root.bar("device list", size);
            api.putPresigned(
                    upload.path("url").asText(),
                    size,
                    () -> FileSlice.open(deviceFile, 0, size, bar),
                    "the device list");
            bar.finish();
            ((ObjectNode) body.get("targets"))
                    .put("deviceListS3Key", upload.path("s3Key").asText());
        }
        if (!countTargets && !body.hasNonNull("clientToken")) {
            // One token for this run: Api retries a POST after a 503, and the API answers a retry with the same job.
            body.put("clientToken", UUID.randomUUID().toString());
        }
        if (countTargets) {
            body.remove("clientToken");
            return show(api.post("/jobs/dry-run", body), JobCreate::count);
        }
        JsonNode job = api.post("/jobs", body);
        if (watch) {
            return JobWatch.follow(root, api, job.path("jobId").asText(), Duration.ofSeconds(2), null);
        }
        return show(job, Text::job);
    }

    /** The dry run's answer in words. */
    static void count(PrintStream out, JsonNode c) {
        out.println((c.path("targets").isNull() ? "unknown" : c.path("targets").asText())
                + " devices would be targeted"
                + (c.path("complete").asBoolean() ? "" : " (at least: the count stopped early)"));
        if (c.path("invalidDeviceNames").asLong() > 0) {
            out.println(c.path("invalidDeviceNames").asLong() + " invalid device names would be skipped");
        }
        if (c.path("duplicateDeviceNames").asLong() > 0) {
            out.println(c.path("duplicateDeviceNames").asLong() + " repeated device names would be skipped");
        }
        if (c.hasNonNull("note")) {
            out.println(c.path("note").asText());
        }
    }
}
