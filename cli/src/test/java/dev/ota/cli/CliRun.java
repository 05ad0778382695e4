package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Runs `ota` in-process and keeps its exit code, stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

    static final AwsCredentialsProvider LOCAL = StaticCredentialsProvider.create(AwsBasicCredentials.create(
            dev.ota.local.standin.EmbeddedS3.ACCESS_KEY, dev.ota.local.standin.EmbeddedS3.SECRET_KEY));

    static CliRun run(Map<String, String> env, AwsCredentialsProvider credentials, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnvironment environment = new CliEnvironment(
                new HashMap<>(env),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false,
                credentials,
                Clock.systemUTC());
        int code = OtaCli.execute(environment, args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    JsonNode json() {
        try {
            return Api.JSON.readTree(out);
        } catch (IOException e) {
            throw new AssertionError("stdout is not JSON: " + out + "\nstderr: " + err, e);
        }
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
