package dev.ota.cli.firmware;

import dev.ota.cli.Text;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
        name = "describe",
        description = "Show one firmware: status, size, MD5, SHA-256, description, rejection reason.")
final class FirmwareDescribe extends OneFirmware {
    @Override
    public Integer call() {
        return show(root().api().get(path(), Map.of()), Text::firmware);
    }
}
