package dev.ota.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.Api;
import dev.ota.cli.CliEnvironment;
import dev.ota.cli.CliException;
import dev.ota.cli.Durations;
import dev.ota.cli.ExitCodes;
import dev.ota.cli.OtaCli;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "watch",
        description = {
            "Follow a job live: per-state counts and a progress bar until it ends. "
                    + "Exit 0 when it COMPLETED, 1 when it was ABORTED or CANCELED, 5 after --timeout."
        })
final class JobWatch extends Subcommand {

    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            converter = Durations.class,
            defaultValue = "2s",
            description = "Time between polls (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "Give up after this long (exit 5).")
    Duration timeout;

    @Override
    public Integer call() {
        OtaCli root = root();
        return follow(root, root.api(), jobId, interval, timeout);
    }

    /**
     * Polls the job until the API says it ended (or {@code timeout}, if not null, passes); exit 0
     * unless the API says it stopped before its course (canceled, aborted). The state is shown as
     * the API names it: the CLI keeps no list of states.
     */
    static int follow(OtaCli root, Api api, String jobId, Duration interval, Duration timeout) {
        CliEnvironment env = root.environment();
        Instant deadline = timeout == null ? null : env.clock().instant().plus(timeout);
        String last = null;
        JsonNode job;
        while (true) {
            job = api.get(JobCommand.path(jobId), Map.of());
            JsonNode stats = api.get(JobCommand.path(jobId, "statistics"), Map.of());
            String state = job.path("state").asText();
            String line = String.format("%-11s %s  %s", state, Text.progress(stats), Text.counts(stats.path("counts")));
            if (!root.json() || root.progress()) {
                if (env.terminal()) {
                    env.err().print("\r" + line + "\u001b[K");
                    env.err().flush();
                } else if (!line.equals(last)) {
                    env.err().println(line);
                }
            }
            last = line;
            if (job.path("ended").asBoolean()) {
                if (env.terminal()) {
                    env.err().println();
                }
                break;
            }
            if (deadline != null && env.clock().instant().isAfter(deadline)) {
                if (env.terminal()) {
                    env.err().println();
                }
                throw new CliException(
                        ExitCodes.TIMEOUT,
                        "job " + jobId + " is still " + state + " after " + timeout.toSeconds() + " s");
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
        return finalJob.path("stopped").asBoolean() ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
