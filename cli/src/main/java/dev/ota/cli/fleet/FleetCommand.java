package dev.ota.cli.fleet;

import dev.ota.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code ota fleet ...}: the devices of a product as a whole. */
@Command(
        name = "fleet",
        description = "The fleet as a whole: devices per firmware version.",
        subcommands = {FleetVersions.class})
public final class FleetCommand extends CommandGroup {}
