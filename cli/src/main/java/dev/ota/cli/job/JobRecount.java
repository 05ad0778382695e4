package dev.ota.cli.job;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "recount",
        description = "Count the job's devices from its Executions rows and compare with its counters;"
                + " --repair sets the counters to the rows' counts (pause the job first if it is moving).")
final class JobRecount extends Subcommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Option(names = "--repair", description = "Make the counters equal the rows' counts.")
    boolean repair;

    @Override
    public Integer call() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("repair", repair);
        return show(root().api().post(JobCommand.path(jobId, "recount"), body), Text::recount);
    }
}
