package dev.ota.cli.firmware;

import dev.ota.cli.Api;
import dev.ota.cli.Text;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "edit", description = "Change a firmware's description.")
final class FirmwareEdit extends OneFirmware {
    @Option(names = "--description", required = true, paramLabel = "TEXT")
    String description;

    @Override
    public Integer call() {
        return show(
                root().api().patch(path(), Api.JSON.createObjectNode().put("description", description)),
                Text::firmware);
    }
}
