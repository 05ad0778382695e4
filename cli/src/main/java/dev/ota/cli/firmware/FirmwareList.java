package dev.ota.cli.firmware;

import dev.ota.cli.ProductListing;
import dev.ota.cli.Text;
import picocli.CommandLine.Command;

@Command(name = "list", description = "List firmware (of one product with --product), newest version last.")
final class FirmwareList extends ProductListing {
    FirmwareList() {
        super("/firmware", Text.FIRMWARE_HEADERS, Text::firmwareRow);
    }
}
