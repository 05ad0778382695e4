package dev.ota.cli.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.Api;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code DELETE /jobs/{jobId}}: a finished job and its executions. */
@Command(
        name = "delete",
        description = {
            "Delete a finished job (COMPLETED, or CANCELED/ABORTED with no device left in progress) with its executions, "
                    + "which leave every device's history. Refused (exit 1, JOB_NOT_FINISHED) otherwise: cancel it first.",
            "A large job answers DELETION_IN_PROGRESS: the scheduler deletes the rest (run delete again, or status, until "
                    + "it is NOT_FOUND)."
        })
final class JobDelete extends Subcommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Override
    public Integer call() {
        JsonNode job = root().api().delete(JobCommand.path(jobId));
        if (job != null) {
            return show(job, Text::job);
        }
        return show(
                Api.JSON.createObjectNode().put("jobId", jobId).put("deleted", true),
                (out, result) -> out.println("deleted job " + jobId + " and its executions"));
    }
}
