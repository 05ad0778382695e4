package dev.ota.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.job.StageSpec;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CLI without a backend: argument handling, request building, help, and the exit codes that need no API. */
class CliArgumentsTest {

    private static final Map<String, String> ENV =
            Map.of("OTA_API_URL", "https://abc123.execute-api.eu-west-1.amazonaws.com");

    private static CliRun ota(String... args) {
        return CliRun.run(ENV, CliRun.LOCAL, args);
    }

    @Test
    void helpListsTheExitCodes() {
        CliRun run = ota("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("Exit codes:", "usage error", "network error", "waited longer than --timeout", "OTA_API_URL");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String[] cmd : new String[][] {
            {"firmware", "upload"},
            {"firmware", "list"},
            {"firmware", "describe"},
            {"firmware", "edit"},
            {"firmware", "delete"},
            {"job", "create"},
            {"job", "update"},
            {"job", "delete"},
            {"job", "status"},
            {"job", "watch"},
            {"job", "list"},
            {"job", "devices"},
            {"job", "pause"},
            {"job", "resume"},
            {"job", "cancel"},
            {"job", "device-retry"},
            {"job", "device-cancel"},
            {"job", "health"},
            {"fleet", "versions"},
            {"device", "status"},
            {"device", "history"}
        }) {
            CliRun run = ota(cmd[0], cmd[1], "--help");
            assertThat(run.exitCode()).as(String.join(" ", cmd) + "\n" + run).isZero();
            assertThat(run.out()).contains("Usage: ota " + cmd[0] + " " + cmd[1]);
        }
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(ota().exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(ota("frimware", "list").err()).contains("Did you mean");
        assertThat(ota("firmware", "upload", "x.bin", "--version", "1").exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(ota("job", "create", "--product", "P", "--version", "2").err())
                .contains("give exactly one target");
        assertThat(ota("job", "create", "--product", "P", "--version", "2", "--whole-product", "--devices", "a")
                        .exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(ota(
                                "job",
                                "create",
                                "--product",
                                "P",
                                "--version",
                                "2",
                                "--whole-product",
                                "--rate",
                                "10",
                                "--ramp-factor",
                                "2")
                        .err())
                .contains("needs all of --ramp-base, --ramp-factor and --ramp-every");
        assertThat(ota("job", "create", "--product", "P", "--version", "2", "--whole-product", "--stage", "x")
                        .exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(ota("job", "create", "--product", "P", "--version", "2", "--whole-product", "--timeout", "soon")
                        .exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(ota("job", "create", "--product", "P", "--version", "2", "--whole-product", "--start", "tomorrow")
                        .err())
                .contains("not an ISO-8601 UTC time");
        assertThat(ota("--output", "yaml", "firmware", "list").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(ota("firmware", "upload", "/no/such/file.bin", "--product", "P", "--version", "1")
                        .exitCode())
                .isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void jobRequestCarriesEveryOption() {
        CliRun run = ota(
                "job",
                "create",
                "--product",
                "P1",
                "--version",
                "2.0.0",
                "--source-versions",
                "1.0.0,1.1.0",
                "--dynamic",
                "--rate",
                "5000",
                "--ramp-base",
                "10",
                "--ramp-factor",
                "2",
                "--ramp-every",
                "100",
                "--stage",
                "5%,success=95,failure=5,min=20,on-failure=abort",
                "--stage",
                "100",
                "--timeout",
                "15m",
                "--retries",
                "2",
                "--retry-interval",
                "90s",
                "--retryable-codes",
                "-1,-3,-4",
                "--start",
                "2026-04-01T02:00:00Z",
                "--end",
                "2026-04-02T02:00:00Z",
                "--description",
                "spring",
                "--dry-run");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode body = run.json();
        assertThat(body.path("targets").path("type").asText()).isEqualTo("SOURCE_VERSIONS");
        assertThat(body.path("targets").path("sourceVersions")).hasSize(2);
        assertThat(body.path("dynamic").asBoolean()).isTrue();
        assertThat(body.path("rollout").path("ratePerMinute").asInt()).isEqualTo(5000);
        assertThat(body.path("rollout").path("rampFactor").asDouble()).isEqualTo(2.0);
        assertThat(body.path("stages").get(0).path("percent").asInt()).isEqualTo(5);
        assertThat(body.path("stages").get(0).path("onFailure").asText()).isEqualTo("ABORT");
        assertThat(body.path("stages").get(0).path("minDevicesForFailure").asInt())
                .isEqualTo(20);
        assertThat(body.path("stages").get(1).path("deviceCount").asInt()).isEqualTo(100);
        assertThat(body.path("stages").get(1).path("successThresholdPercent").asInt())
                .isEqualTo(90);
        assertThat(body.path("inProgressTimeoutSeconds").asLong()).isEqualTo(900);
        assertThat(body.path("retry").path("maxAttempts").asInt()).isEqualTo(3);
        assertThat(body.path("retry").path("intervalSeconds").asInt()).isEqualTo(90);
        assertThat(body.path("retry").path("retryableCodes").toString()).isEqualTo("[-1,-3,-4]");
        assertThat(body.path("startAt").asText()).isEqualTo("2026-04-01T02:00:00Z");
        assertThat(body.path("description").asText()).isEqualTo("spring");
    }

    @Test
    void targetKinds() {
        assertThat(ota("job", "create", "--product", "P", "--version", "2", "--whole-product", "--dry-run")
                        .json()
                        .path("targets")
                        .path("type")
                        .asText())
                .isEqualTo("PRODUCT");
        JsonNode list = ota(
                        "job",
                        "create",
                        "--product",
                        "P",
                        "--version",
                        "2",
                        "--devices",
                        "d1,d2",
                        "--source-versions",
                        "1.0",
                        "--dry-run")
                .json()
                .path("targets");
        assertThat(list.path("type").asText()).isEqualTo("DEVICE_LIST");
        assertThat(list.path("deviceNames").toString()).isEqualTo("[\"d1\",\"d2\"]");
        assertThat(list.path("sourceVersions").toString()).isEqualTo("[\"1.0\"]");
    }

    @Test
    void thingGroupAndFleetQueryTargets() {
        JsonNode group = ota(
                        "job",
                        "create",
                        "--product",
                        "P",
                        "--version",
                        "2",
                        "--thing-group",
                        "plant-a",
                        "--source-versions",
                        "1.0",
                        "--dry-run")
                .json()
                .path("targets");
        assertThat(group.path("type").asText()).isEqualTo("THING_GROUP");
        assertThat(group.path("thingGroupName").asText()).isEqualTo("plant-a");
        assertThat(group.path("sourceVersions").toString()).isEqualTo("[\"1.0\"]");
        JsonNode query = ota(
                        "job",
                        "create",
                        "--product",
                        "P",
                        "--version",
                        "2",
                        "--fleet-query",
                        "attributes.site:north AND connectivity.connected:true",
                        "--dry-run")
                .json()
                .path("targets");
        assertThat(query.path("type").asText()).isEqualTo("FLEET_QUERY");
        assertThat(query.path("fleetQuery").asText())
                .isEqualTo("attributes.site:north AND connectivity.connected:true");
        assertThat(ota("job", "create", "--product", "P", "--version", "2", "--thing-group", "g", "--fleet-query", "q")
                        .exitCode())
                .isEqualTo(ExitCodes.USAGE);
    }

    @ParameterizedTest
    @CsvSource({"90,90", "90s,90", "10m,600", "1h30m,5400", "2d,172800", "PT5M,300"})
    void durations(String text, long seconds) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void badDurations() {
        assertThatThrownBy(() -> Durations.parse("10x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stageSpecs() {
        assertThat(StageSpec.parse("10").toString())
                .isEqualTo("{\"deviceCount\":10,\"successThresholdPercent\":90,\"failureThresholdPercent\":10}");
        assertThat(StageSpec.parse("25%,failure=50%")
                        .path("failureThresholdPercent")
                        .asInt())
                .isEqualTo(50);
        assertThatThrownBy(() -> StageSpec.parse("success=90")).hasMessageContaining("starts with its size");
        assertThatThrownBy(() -> StageSpec.parse("10,speed=3")).hasMessageContaining("unknown stage setting");
        // The API knows the failure actions (and answers 400 for another, see CliIT); the CLI passes it on.
        assertThat(StageSpec.parse("10,on-failure=explode").path("onFailure").asText())
                .isEqualTo("EXPLODE");
        assertThat(StageSpec.parse("10,min=5").path("minDevicesForFailure").asInt())
                .isEqualTo(5);
    }

    @Test
    void regionComesFromTheExecuteApiHost() {
        assertThat(Api.regionOf(URI.create("https://abc123.execute-api.eu-west-1.amazonaws.com")))
                .isEqualTo("eu-west-1");
        assertThat(Api.regionOf(URI.create("http://127.0.0.1:8080"))).isNull();
    }

    @Test
    void pathSegmentsAreEncoded() {
        assertThat(Api.path("=firmware", "P1", "1.0.0+b")).isEqualTo("/firmware/P1/1.0.0%2Bb");
        assertThat(Api.path("=devices", "P1", "a b")).isEqualTo("/devices/P1/a%20b");
    }

    @Test
    void noEndpointIsAConfigurationError() {
        CliRun run = CliRun.run(Map.of(), CliRun.LOCAL, "firmware", "list");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err()).contains("no API endpoint");
    }

    @Test
    void noRegionIsAConfigurationError() {
        CliRun run = CliRun.run(
                Map.of("OTA_API_URL", "http://127.0.0.1:1"),
                CliRun.LOCAL,
                "firmware",
                "list",
                "--profile",
                "ota-no-such-profile");
        // the default region chain may find a region on this machine; if it does, the call fails on the network instead
        assertThat(run.exitCode()).isIn(ExitCodes.CONFIG, ExitCodes.UNAVAILABLE);
    }

    @Test
    void unreachableApiExitsWith3() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun run = CliRun.run(
                Map.of("OTA_API_URL", "http://127.0.0.1:" + port),
                CliRun.LOCAL,
                "firmware",
                "list",
                "--region",
                "us-east-1");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(run.err()).contains("cannot connect to the API");
    }

    @Test
    void progressBarRendersAndStepsInTenths() {
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new java.io.PrintStream(buffer, true), "upload", 1000, false, true);
        for (int i = 0; i < 100; i++) {
            bar.advance(10);
        }
        bar.finish();
        String[] lines = buffer.toString().split("\n");
        assertThat(lines).hasSize(11);
        assertThat(lines[10]).startsWith("upload [##############################] 100%  1000 B/1000 B");
        assertThat(ProgressBar.bytes(12L * 1024 * 1024)).isEqualTo("12.0 MiB");
    }
}
