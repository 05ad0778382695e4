package dev.ota.cli.firmware;

import dev.ota.cli.Subcommand;
import picocli.CommandLine.Option;

/** describe, edit, delete: one firmware, named by product and version. */
abstract class OneFirmware extends Subcommand {
    @Option(names = "--product", required = true, paramLabel = "PRODUCT_ID")
    String product;

    @Option(names = "--version", required = true, paramLabel = "VERSION")
    String version;

    String path() {
        return FirmwareCommand.path(product, version);
    }
}
