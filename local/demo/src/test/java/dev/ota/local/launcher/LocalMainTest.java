package dev.ota.local.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher's command line: documented defaults, and bad input refused before anything starts. */
class LocalMainTest {

    @Test
    void defaultsAreTheDocumentedPortsAndFleet() {
        LocalMain main = new LocalMain();
        new CommandLine(main).parseArgs();

        assertThat(main.mqttPort).isEqualTo(1883);
        assertThat(main.s3Port).isEqualTo(9000);
        assertThat(main.s3BucketPort).isEqualTo(9001);
        assertThat(main.dynamoDbPort).isEqualTo(8000);
        assertThat(main.iotDataPort).isEqualTo(8088);
        assertThat(main.adminPort).isEqualTo(8089);
        assertThat(main.devices).isEqualTo(50);
        assertThat(main.seed).isEqualTo(42);
        assertThat(main.noDemo).isFalse();
        assertThat(main.exitAfterDemo).isFalse();
        assertThat(main.urlExpirySeconds).isNull();
    }

    @Test
    void flagsOverrideThem() {
        LocalMain main = new LocalMain();
        new CommandLine(main)
                .parseArgs(
                        "--mqtt-port",
                        "0",
                        "--devices",
                        "12",
                        "--seed",
                        "7",
                        "--exit-after-demo",
                        "--url-expiry-seconds",
                        "30");

        assertThat(main.mqttPort).isZero();
        assertThat(main.devices).isEqualTo(12);
        assertThat(main.seed).isEqualTo(7);
        assertThat(main.exitAfterDemo).isTrue();
        assertThat(main.urlExpirySeconds).isEqualTo(30);
    }

    @Test
    void tooSmallAFleetIsAUsageErrorBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new LocalMain())
                .setErr(new PrintWriter(err, true))
                .execute("--devices", "2");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--devices must be at least 4");
    }

    @Test
    void helpListsEveryPortFlag() {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new LocalMain())
                .setOut(new PrintWriter(out, true))
                .execute("--help");

        assertThat(code).isZero();
        assertThat(out.toString())
                .contains(
                        "--mqtt-port",
                        "--s3-port",
                        "--s3-bucket-port",
                        "--dynamodb-port",
                        "--iot-data-port",
                        "--admin-port",
                        "--devices",
                        "--seed",
                        "--no-demo",
                        "--exit-after-demo");
    }
}
