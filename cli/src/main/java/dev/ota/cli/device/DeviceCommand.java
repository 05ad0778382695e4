package dev.ota.cli.device;

import dev.ota.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code ota device ...}: what the cloud knows of one device, and its identity on AWS IoT Core. */
@Command(
        name = "device",
        description =
                "Device status and update history; register a device on AWS IoT Core (thing, certificate, policy) or deregister it.",
        subcommands = {DeviceStatus.class, DeviceHistory.class, DeviceRegister.class, DeviceDeregister.class})
public final class DeviceCommand extends CommandGroup {}
