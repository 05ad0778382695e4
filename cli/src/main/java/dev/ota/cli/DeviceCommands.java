package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ota device ...}: what the cloud knows of one device. */
@Command(name = "device", description = "Device status.", subcommands = DeviceCommands.Status.class)
final class DeviceCommands implements Runnable {

    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @ParentCommand
    OtaCli root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: status");
    }

    @Command(name = "status", description = "A device's reported version, when it was last seen, and its live update.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @ParentCommand
        DeviceCommands parent;

        @Parameters(index = "0", paramLabel = "PRODUCT_ID")
        String product;

        @Parameters(index = "1", paramLabel = "DEVICE_NAME")
        String device;

        @Override
        public Integer call() {
            OtaCli root = parent.root;
            JsonNode d = root.api().get(Api.path("=devices", product, device), Map.of());
            root.print(d, () -> {
                Text.keyValues(root.environment().out(), "product", Text.s(d, "productId"), "device", Text.s(d, "deviceName"),
                        "version", Text.s(d, "currentVersion"), "last seen", Text.s(d, "lastSeenAt"));
                JsonNode live = d.path("liveExecution");
                if (live.isObject()) {
                    root.environment().out().println("live update:");
                    Text.execution(root.environment().out(), live);
                } else {
                    root.environment().out().println("live update: none");
                }
            });
            return ExitCodes.OK;
        }
    }
}
