package dev.ota.cli.device;

import dev.ota.cli.Api;
import dev.ota.cli.PageOptions;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code GET /devices/{p}/{d}/executions}: AWS IoT's list-job-executions-for-thing. */
@Command(
        name = "history",
        description = {
            "A device's executions across its product's jobs, newest job first: status, percent, result, versions, attempt.",
            "A page may hold fewer than --limit while more follow (the API walks up to 1000 jobs a page): --all reads on."
        })
final class DeviceHistory extends Subcommand {
    @Parameters(index = "0", paramLabel = "PRODUCT_ID")
    String product;

    @Parameters(index = "1", paramLabel = "DEVICE_NAME")
    String device;

    @Mixin
    PageOptions pages;

    @Override
    public Integer call() {
        List<String> headers = new ArrayList<>(List.of("JOB"));
        headers.addAll(Text.EXECUTION_HEADERS.subList(1, Text.EXECUTION_HEADERS.size()));
        return pages.list(root(), Api.path("=devices", product, device, "=executions"), Map.of(), headers, e -> {
            List<String> row = new ArrayList<>(List.of(Text.s(e, "jobId")));
            row.addAll(Text.executionRow(e).subList(1, Text.EXECUTION_HEADERS.size()));
            return row;
        });
    }
}
