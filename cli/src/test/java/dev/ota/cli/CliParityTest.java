package dev.ota.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.standin.RepoRoot;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** What `ota` shares with the AWS CLI, without a backend: --cli-input-json, skeletons, --query, --output table, completion. */
class CliParityTest {

    private static final Map<String, String> ENV =
            Map.of("OTA_API_URL", "https://abc123.execute-api.eu-west-1.amazonaws.com");

    @TempDir
    Path dir;

    private static CliRun ota(String... args) {
        return CliRun.run(ENV, CliRun.LOCAL, args);
    }

    // ---- skeletons and --cli-input-json ----

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schema(String name) throws Exception {
        try (Reader reader = Files.newBufferedReader(RepoRoot.find().resolve("docs/openapi.yaml"))) {
            Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            Map<String, Object> schemas =
                    (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
            return (Map<String, Object>) schemas.get(name);
        }
    }

    /** Every property path of an OpenAPI schema (refs into CreateJob followed, array items as []). */
    @SuppressWarnings("unchecked")
    private static void paths(Map<String, Object> schema, String prefix, TreeSet<String> out) throws Exception {
        if (schema.containsKey("$ref")) {
            String[] ref = ((String) schema.get("$ref"))
                    .replace("#/components/schemas/", "")
                    .split("/");
            Map<String, Object> target = schema(ref[0]);
            for (int i = 1; i < ref.length; i++) {
                target = (Map<String, Object>) target.get(ref[i]);
            }
            paths(target, prefix, out);
            return;
        }
        if (schema.containsKey("items")) {
            paths((Map<String, Object>) schema.get("items"), prefix + "[]", out);
            return;
        }
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        if (properties == null) {
            out.add(prefix);
            return;
        }
        for (Map.Entry<String, Object> p : properties.entrySet()) {
            paths((Map<String, Object>) p.getValue(), prefix.isEmpty() ? p.getKey() : prefix + "." + p.getKey(), out);
        }
    }

    private static void paths(JsonNode node, String prefix, TreeSet<String> out) {
        if (node.isArray()) {
            paths(node.get(0), prefix + "[]", out);
        } else if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            f -> paths(f.getValue(), prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), out));
        } else {
            out.add(prefix);
        }
    }

    @Test
    void theSkeletonsHaveEveryFieldOfTheApisRequestsAndNoOther() throws Exception {
        for (String[] c : new String[][] {{"create", "CreateJob"}, {"update", "UpdateJob"}}) {
            CliRun run = ota("job", c[0], "--generate-cli-skeleton");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            TreeSet<String> skeleton = new TreeSet<>();
            paths(run.json(), "", skeleton);
            TreeSet<String> api = new TreeSet<>();
            paths(schema(c[1]), "", api);
            assertThat(skeleton).as(c[0]).isEqualTo(api);
        }
    }

    @Test
    void aJobFromAFileWithOptionsOnTop() throws Exception {
        Path file = Files.writeString(
                dir.resolve("job.json"),
                "{\"productId\":\"P\",\"targetVersion\":\"2.0.0\",\"targets\":{\"type\":\"PRODUCT\"},"
                        + "\"rollout\":{\"ratePerMinute\":10},\"description\":\"from file\"}");

        JsonNode body = ota("job", "create", "--cli-input-json", "file://" + file, "--rate", "50", "--dry-run")
                .json();

        assertThat(body.path("productId").asText()).isEqualTo("P");
        assertThat(body.path("targets").path("type").asText()).isEqualTo("PRODUCT");
        assertThat(body.path("rollout").path("ratePerMinute").asInt())
                .as("the option wins")
                .isEqualTo(50);
        assertThat(body.path("description").asText()).isEqualTo("from file");
        assertThat(body.has("clientToken"))
                .as("a dry run shows only a token given")
                .isFalse();

        JsonNode inline = ota(
                        "job",
                        "create",
                        "--cli-input-json",
                        "{\"targetVersion\":\"3\",\"targets\":{\"type\":\"PRODUCT\"}}",
                        "--product",
                        "Q",
                        "--devices",
                        "d1",
                        "--client-token",
                        "t-1",
                        "--dry-run")
                .json();
        assertThat(inline.path("productId").asText()).isEqualTo("Q");
        assertThat(inline.path("targets").path("type").asText())
                .as("target options replace the file's")
                .isEqualTo("DEVICE_LIST");
        assertThat(inline.path("clientToken").asText()).isEqualTo("t-1");
    }

    @Test
    void aJobFromAFileStillNeedsItsProductVersionAndTargets() throws Exception {
        CliRun noTargets =
                ota("job", "create", "--cli-input-json", "{\"productId\":\"P\",\"targetVersion\":\"2\"}", "--dry-run");
        assertThat(noTargets.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noTargets.err()).contains("give exactly one target");

        CliRun noVersion = ota("job", "create", "--product", "P", "--whole-product", "--dry-run");
        assertThat(noVersion.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(noVersion.err()).contains("--version");

        CliRun notJson = ota("job", "create", "--cli-input-json", "job.json", "--dry-run");
        assertThat(notJson.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(notJson.err()).contains("file://");

        CliRun missing = ota("job", "create", "--cli-input-json", "file://" + dir.resolve("none.json"), "--dry-run");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void anUpdateRequestFromOptions() {
        JsonNode body = ota(
                        "job",
                        "update",
                        "job-1",
                        "--rate",
                        "20",
                        "--stage",
                        "keep",
                        "--stage",
                        "failure=5,on-failure=abort",
                        "--timeout",
                        "10m",
                        "--retries",
                        "2",
                        "--description",
                        "slower",
                        "--dry-run")
                .json();

        assertThat(body.path("rollout").path("ratePerMinute").asInt()).isEqualTo(20);
        assertThat(body.path("stages").get(0)).isEmpty();
        assertThat(body.path("stages").get(1).path("failureThresholdPercent").asInt())
                .isEqualTo(5);
        assertThat(body.path("stages").get(1).path("onFailure").asText()).isEqualTo("ABORT");
        assertThat(body.path("inProgressTimeoutSeconds").asLong()).isEqualTo(600);
        assertThat(body.path("retry").path("maxAttempts").asInt()).isEqualTo(3);
        assertThat(body.path("description").asText()).isEqualTo("slower");
    }

    @Test
    void anUpdateThatChangesNothingOrResizesAStageIsAUsageError() {
        CliRun nothing = ota("job", "update", "job-1", "--dry-run");
        assertThat(nothing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(nothing.err()).contains("nothing to change");

        CliRun resize = ota("job", "update", "job-1", "--stage", "50%", "--dry-run");
        assertThat(resize.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(resize.err()).contains("size cannot change");
    }

    // ---- --query and --output ----

    @Test
    void aQueryPicksFromTheJsonAndPrintsAStringBare() {
        CliRun run = ota(
                "--query",
                "targets.deviceNames[1]",
                "job",
                "create",
                "--product",
                "P",
                "--version",
                "2",
                "--devices",
                "d1,d2",
                "--dry-run");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("d2" + System.lineSeparator());

        CliRun list = ota(
                "--query",
                "targets.deviceNames",
                "job",
                "create",
                "--product",
                "P",
                "--version",
                "2",
                "--devices",
                "d1,d2",
                "--dry-run");
        assertThat(list.out().strip()).isEqualTo("d1\td2");

        CliRun json = ota(
                "--output",
                "json",
                "--query",
                "{t: targets.type, n: length(targets.deviceNames)}",
                "job",
                "create",
                "--product",
                "P",
                "--version",
                "2",
                "--devices",
                "d1,d2",
                "--dry-run");
        assertThat(json.json().path("t").asText()).isEqualTo("DEVICE_LIST");
        assertThat(json.json().path("n").asInt()).isEqualTo(2);
    }

    @Test
    void aBadQueryIsAUsageErrorBeforeAnythingIsSent() {
        CliRun run = ota("--query", "items[?", "job", "list");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("JMESPath");
    }

    @Test
    void tableOutputLaysAnyJsonOut() {
        CliRun run = ota(
                "--output",
                "table",
                "job",
                "create",
                "--product",
                "P",
                "--version",
                "2",
                "--devices",
                "d1,d2",
                "--rate",
                "5",
                "--dry-run");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<String> lines = new ArrayList<>(run.out().lines().toList());
        assertThat(lines.get(0)).startsWith("FIELD").contains("VALUE");
        assertThat(run.out()).contains("productId", "targets", "DEVICE_LIST", "d1,d2", "rollout", "ratePerMinute");

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        JsonTable.print(
                new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8),
                Api.JSON
                        .createArrayNode()
                        .add(Api.JSON.createObjectNode().put("jobId", "j1").put("targetCount", 3))
                        .add(Api.JSON.createObjectNode().put("jobId", "j2").putNull("targetCount")));
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines())
                .containsExactly("JOB_ID  TARGET_COUNT", "j1      3", "j2      -");
    }

    // ---- completion ----

    @Test
    void completionScriptsKnowEveryCommand() {
        CliRun bash = ota("completion", "bash");
        assertThat(bash.exitCode()).as(bash.toString()).isZero();
        assertThat(bash.out()).contains("complete -F", "update", "delete", "history", "--cli-input-json", "--query");

        CliRun zsh = ota("completion", "zsh");
        assertThat(zsh.out()).startsWith("autoload -U +X compinit && compinit").contains("bashcompinit", "history");

        assertThat(ota("completion", "fish").exitCode()).isEqualTo(ExitCodes.USAGE);
    }
}
