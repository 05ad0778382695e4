package dev.ota.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * What the CLI takes from its surroundings: environment variables, the output streams, whether
 * stderr is a terminal (progress bars redraw in place), and, for tests only, a credentials provider
 * that replaces the default chain.
 */
public record CliEnvironment(
        Map<String, String> variables,
        PrintStream out,
        PrintStream err,
        boolean terminal,
        AwsCredentialsProvider credentialsOverride,
        Clock clock) {

    public static CliEnvironment system() {
        return new CliEnvironment(
                System.getenv(), System.out, System.err, System.console() != null, null, Clock.systemUTC());
    }

    public String variable(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? null : value;
    }
}
