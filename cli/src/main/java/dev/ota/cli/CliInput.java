package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --cli-input-json} and {@code --generate-cli-skeleton} as the AWS CLI has them (a picocli
 * mixin): the request body from JSON (inline, or {@code file://PATH}), which options given on the
 * command line override field by field; and the skeleton of that body, every field with a
 * placeholder value, to fill in. The skeletons are resources next to this class; a test checks
 * them against docs/openapi.yaml.
 */
public final class CliInput {

    @Option(
            names = "--cli-input-json",
            paramLabel = "JSON",
            description =
                    "The request body as JSON, inline or file://PATH (as the AWS CLI's); options given too override its fields.")
    String json;

    @Option(
            names = "--generate-cli-skeleton",
            arity = "0..1",
            fallbackValue = "input",
            paramLabel = "input",
            description =
                    "Print a skeleton of the request body for --cli-input-json (every field, placeholder values) and send nothing.")
    String skeleton;

    /** Whether only the skeleton is wanted. */
    public boolean skeletonWanted() {
        return skeleton != null;
    }

    /** Prints the named skeleton ({@code create-job}, {@code update-job}); exit code 0. */
    public int printSkeleton(OtaCli root, String name) {
        if (!skeleton.equals("input")) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "--generate-cli-skeleton takes 'input' (the request body), not '" + skeleton + "'");
        }
        root.environment().out().println(skeletonText(name));
        return ExitCodes.OK;
    }

    /** The skeleton resource as text. */
    public static String skeletonText(String name) {
        try (InputStream in = CliInput.class.getResourceAsStream("skeletons/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("no skeleton " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body --cli-input-json gave (a copy to change), or an empty object. */
    public ObjectNode body() {
        if (json == null) {
            return Api.JSON.createObjectNode();
        }
        String text = json;
        if (json.startsWith("file://")) {
            Path file = Path.of(json.substring("file://".length()));
            try {
                text = Files.readString(file);
            } catch (NoSuchFileException e) {
                throw new CliException(ExitCodes.USAGE, "--cli-input-json: no such file: " + file);
            } catch (IOException e) {
                throw new CliException(
                        ExitCodes.USAGE, "--cli-input-json: cannot read " + file + ": " + e.getMessage());
            }
        }
        JsonNode node;
        try {
            node = Api.JSON.readTree(text);
        } catch (IOException e) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "--cli-input-json is not JSON"
                            + (json.startsWith("file://") ? "" : " (a file needs file://PATH)")
                            + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new CliException(ExitCodes.USAGE, "--cli-input-json must be a JSON object");
        }
        return object.deepCopy();
    }
}
