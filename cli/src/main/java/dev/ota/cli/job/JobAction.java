package dev.ota.cli.job;

import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import picocli.CommandLine.Parameters;

/** pause, resume, cancel: {@code POST /jobs/{jobId}/ACTION}, then the job as it is now. */
abstract class JobAction extends Subcommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    /** The path's last segment. */
    abstract String action();

    @Override
    public Integer call() {
        return show(root().api().post(JobCommand.path(jobId, action()), null), Text::job);
    }
}
