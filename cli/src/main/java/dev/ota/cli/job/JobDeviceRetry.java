package dev.ota.cli.job;

import picocli.CommandLine.Command;

@Command(name = "device-retry", description = "Give one device of the job a new attempt.")
final class JobDeviceRetry extends JobDeviceAction {
    @Override
    String action() {
        return "retry";
    }
}
