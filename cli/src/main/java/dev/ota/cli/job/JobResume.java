package dev.ota.cli.job;

import picocli.CommandLine.Command;

@Command(name = "resume", description = "Resume a paused job.")
final class JobResume extends JobAction {
    @Override
    String action() {
        return "resume";
    }
}
