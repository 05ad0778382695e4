package dev.ota.cli.firmware;

import dev.ota.cli.Api;
import picocli.CommandLine.Command;

@Command(
        name = "delete",
        description = "Delete a firmware and its file. Refused (exit 1, FIRMWARE_IN_USE) while a live job targets it.")
final class FirmwareDelete extends OneFirmware {
    @Override
    public Integer call() {
        root().api().delete(path());
        return show(
                Api.JSON
                        .createObjectNode()
                        .put("productId", product)
                        .put("version", version)
                        .put("deleted", true),
                (out, result) -> out.println("deleted firmware " + version + " of product " + product));
    }
}
