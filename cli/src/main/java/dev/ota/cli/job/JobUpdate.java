package dev.ota.cli.job;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.cli.CliInput;
import dev.ota.cli.Durations;
import dev.ota.cli.OtaCli;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.rollout.RolloutRate;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code PATCH /jobs/{jobId}}: what may change on a job that has not ended (AWS IoT's update-job). */
@Command(
        name = "update",
        description = {
            "Change a job that has not ended: its rate (and ramp), each stage's thresholds and failure action (its abort "
                    + "config), the in-progress timeout, retries, description. What is not given stays.",
            "Devices already released keep the timeout and retries they were released with. Stage sizes, targets and "
                    + "schedule cannot change.",
            "From a file: --cli-input-json file://update.json (--generate-cli-skeleton prints one)."
        })
final class JobUpdate extends Subcommand {
    @Parameters(index = "0", paramLabel = "JOB_ID", arity = "0..1")
    String jobId;

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

    @Option(names = "--ramp-every", paramLabel = "N", description = "... each time N more devices succeeded.")
    Integer rampEvery;

    @Option(
            names = "--stage",
            paramLabel = "SPEC",
            description = {
                "One per stage of the job, in order: keep, or [success=P][,failure=P][,min=N][,on-failure=pause|abort] "
                        + "(settings left out stay; failure=0 turns the stage's pause/abort rule off)."
            })
    List<String> stages;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "In-progress timeout per device, " + JobDefinition.MIN_TIMEOUT_TEXT + " to "
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

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(names = "--dry-run", description = "Print the request that would be sent, and send nothing.")
    boolean dryRun;

    @Mixin
    CliInput input;

    /** The PATCH body: {@code base} (from --cli-input-json) with the options given on top. */
    ObjectNode request(ObjectNode base) {
        ObjectNode body = base;
        boolean ramp = rampBase != null || rampFactor != null || rampEvery != null;
        if (ramp && (rampBase == null || rampFactor == null || rampEvery == null || rate == null)) {
            throw usage("an exponential ramp needs all of --ramp-base, --ramp-factor, --ramp-every and --rate");
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
                    array.add(StageSpec.parseThresholds(s));
                } catch (IllegalArgumentException e) {
                    throw usage("--stage " + s + ": " + e.getMessage());
                }
            }
        }
        if (timeout != null) {
            body.put("inProgressTimeoutSeconds", timeout.toSeconds());
        }
        if (retries != null || retryInterval != null || retryableCodes != null) {
            if (retries == null || retries < 0) {
                throw usage("--retry-interval and --retryable-codes need --retries (0 or more)");
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
        if (body.isEmpty()) {
            throw usage(
                    "nothing to change: give --rate, --stage, --timeout, --retries, --description or --cli-input-json");
        }
        return body;
    }

    @Override
    public Integer call() throws Exception {
        OtaCli root = root();
        if (input.skeletonWanted()) {
            return input.printSkeleton(root, "update-job");
        }
        if (jobId == null) {
            throw usage("missing JOB_ID");
        }
        ObjectNode body = request(input.body());
        if (dryRun) {
            // The request as JSON in every output format (--query and --output table apply to it too).
            return show(body, (out, b) -> out.println(b.toPrettyString()));
        }
        return show(root.api().patch(JobCommand.path(jobId), body), Text::job);
    }
}
