package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The process side of MotoServer: finding it, failing clearly, and really stopping it. */
class MotoServerProcessTest {

    @TempDir
    Path tmp;

    @Test
    void locatesAnExecutableMotoServer() {
        Path executable = MotoServer.locateExecutable();
        assertThat(executable.getFileName().toString()).isEqualTo("moto_server");
        assertThat(Files.isExecutable(executable)).isTrue();
    }

    @Test
    void closeKillsTheProcessAndFreesThePort() {
        MotoServer moto = new MotoServer().start();
        int port = moto.port();
        assertThat(accepts(port)).isTrue();

        moto.close();

        assertThat(accepts(port)).isFalse();
        assertThatThrownBy(moto::endpoint).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void requestsWriteNoLogLines() throws Exception {
        try (MotoServer moto = new MotoServer().start();
                DynamoDbClient dynamo = StandInClients.dynamoDb(moto.endpoint())) {
            for (int i = 0; i < 20; i++) {
                dynamo.listTables();
            }
            assertThat(Files.readString(moto.logFile())).doesNotContain("POST /");
        }
    }

    @Test
    void aMissingExecutableFailsWithItsPath() {
        MotoServer moto = new MotoServer(0, tmp.resolve("no-such-moto_server"));
        assertThatThrownBy(moto::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-moto_server");
    }

    @Test
    void aServerThatDiesAtStartupFailsWithItsOutput() throws Exception {
        Path fake = tmp.resolve("moto_server");
        Files.writeString(fake, "#!/bin/sh\necho 'cannot start: pretend failure'\nexit 3\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> new MotoServer(FreePort.find(), fake).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with 3")
                .hasMessageContaining("pretend failure");
    }

    @Test
    void aPythonScriptRunsThroughItsInterpreterWithRequestsSerialized() throws Exception {
        Path venvScript = tmp.resolve("venv-moto_server");
        Files.writeString(venvScript, "#!/opt/venv/bin/python\nimport sys\n");
        Path envScript = tmp.resolve("env-moto_server");
        Files.writeString(envScript, "#!/usr/bin/env python3\n");
        Path shellScript = tmp.resolve("sh-moto_server");
        Files.writeString(shellScript, "#!/bin/sh\n");

        assertThat(MotoServer.command(venvScript))
                .containsExactly("/opt/venv/bin/python", "-c", MotoServer.SERIALIZED_MAIN);
        assertThat(MotoServer.command(envScript)).containsExactly("python3", "-c", MotoServer.SERIALIZED_MAIN);
        assertThat(MotoServer.command(shellScript)).containsExactly(shellScript.toString());
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
