package dev.ota.cli.job;

import dev.ota.cli.Api;
import dev.ota.cli.PageOptions;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "devices",
        description = "The job's devices: status, percent, result code and message, versions, last update.")
final class JobDevices extends Subcommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Option(
            names = "--status",
            paramLabel = "STATUS",
            description =
                    "Only devices in this status, as the API names it (e.g. failed, skipped); the API lists the statuses if it does not know one.")
    String status;

    @Mixin
    PageOptions pages;

    @Override
    public Integer call() {
        return pages.list(
                root(),
                JobCommand.path(jobId, "devices"),
                Api.query("status", status == null ? null : status.toUpperCase(Locale.ROOT)),
                Text.EXECUTION_HEADERS,
                Text::executionRow);
    }
}
