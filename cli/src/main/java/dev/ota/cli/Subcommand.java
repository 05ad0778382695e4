package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that does something ({@code ota job status}): its help option, the root's settings, and printing a result. */
public abstract class Subcommand implements Callable<Integer> {

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    /** The {@code ota} command: global options, the API client, the environment. */
    protected OtaCli root() {
        return (OtaCli) spec.root().userObject();
    }

    protected ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Prints {@code node} as JSON (--output json) or as {@code text} renders it; returns exit code 0. */
    protected int show(JsonNode node, BiConsumer<PrintStream, JsonNode> text) {
        OtaCli root = root();
        root.print(node, () -> text.accept(root.environment().out(), node));
        return ExitCodes.OK;
    }
}
