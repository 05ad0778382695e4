package dev.ota.cli.job;

import picocli.CommandLine.Command;

@Command(name = "device-cancel", description = "Cancel one device's update in the job.")
final class JobDeviceCancel extends JobDeviceAction {
    @Override
    String action() {
        return "cancel";
    }
}
