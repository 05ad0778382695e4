package dev.ota.cli.job;

import picocli.CommandLine.Command;

@Command(name = "cancel", description = "Cancel a job: no device gets update_firmware for it afterwards.")
final class JobCancel extends JobAction {
    @Override
    String action() {
        return "cancel";
    }
}
