package dev.ota.cli.job;

import picocli.CommandLine.Command;

@Command(name = "pause", description = "Pause a job: no more devices are released until resume.")
final class JobPause extends JobAction {
    @Override
    String action() {
        return "pause";
    }
}
