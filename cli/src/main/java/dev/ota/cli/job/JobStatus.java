package dev.ota.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.cli.Api;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = "Show a job: state, stage, per-state device counts and a progress bar.")
final class JobStatus extends Subcommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Override
    public Integer call() {
        Api api = root().api();
        JsonNode job = api.get(JobCommand.path(jobId), Map.of());
        JsonNode stats = api.get(JobCommand.path(jobId, "statistics"), Map.of());
        ObjectNode both = Api.JSON.createObjectNode();
        both.set("job", job);
        both.set("statistics", stats);
        return show(both, (out, b) -> {
            ObjectNode shown = job.deepCopy();
            shown.set("counts", stats.path("counts"));
            shown.set("finished", stats.path("finished"));
            Text.job(out, shown);
            out.printf(
                    "succeeded %d  failed %d  in progress %d  queued %d  retries %d%n",
                    stats.path("succeeded").asLong(),
                    stats.path("failed").asLong(),
                    stats.path("inProgress").asLong(),
                    stats.path("queued").asLong(),
                    stats.path("retries").asLong());
        });
    }
}
