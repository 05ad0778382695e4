package dev.ota.cli.device;

import dev.ota.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code ota device ...}: what the cloud knows of one device. */
@Command(name = "device", description = "Device status.", subcommands = DeviceStatus.class)
public final class DeviceCommand extends CommandGroup {
}
