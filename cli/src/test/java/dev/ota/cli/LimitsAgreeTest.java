package dev.ota.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.RetryPolicy;
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.rollout.RolloutRate;
import dev.ota.domain.rollout.StagePlan;
import dev.ota.local.standin.RepoRoot;
import java.io.Reader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * One source of truth for the job limits: the domain's constants. The OpenAPI document states each
 * one, the code enforces it, and `ota job create --help` (and `ota job update --help`) says it; all three must agree with the
 * constant.
 */
class LimitsAgreeTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> createJobRequest() throws Exception {
        return request("CreateJob");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> request(String schema) throws Exception {
        try (Reader reader = Files.newBufferedReader(RepoRoot.find().resolve("docs/openapi.yaml"))) {
            Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            Map<String, Object> schemas =
                    (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
            return (Map<String, Object>) ((Map<String, Object>) schemas.get(schema)).get("properties");
        }
    }

    @Test
    void theUpdateAndTheClientTokenStateTheirLimitsToo() throws Exception {
        Map<String, Object> create = createJobRequest();
        assertThat(number(at(create, "clientToken", "maxLength"))).isEqualTo(ClientToken.MAX_LENGTH);
        assertThat(number(at(create, "clientToken", "x-validity-hours"))).isEqualTo(ClientToken.VALIDITY_HOURS);
        assertThat((String) at(create, "clientToken", "description")).contains(ClientToken.VALIDITY_HOURS + " hours");
        assertThat(ClientToken.VALIDITY).isEqualTo(Duration.ofHours(ClientToken.VALIDITY_HOURS));

        Map<String, Object> update = request("UpdateJob");
        assertThat(number(at(update, "stages", "maxItems"))).isEqualTo(StagePlan.MAX_STAGES);
        assertThat(number(at(update, "inProgressTimeoutSeconds", "minimum")))
                .isEqualTo(JobDefinition.MIN_TIMEOUT.toSeconds());
        assertThat(number(at(update, "inProgressTimeoutSeconds", "maximum")))
                .isEqualTo(JobDefinition.MAX_TIMEOUT.toSeconds());
        assertThat(number(at(update, "description", "maxLength"))).isEqualTo(JobDefinition.MAX_DESCRIPTION);
        assertThat(at(update, "rollout", "$ref")).isEqualTo("#/components/schemas/CreateJob/properties/rollout");
        assertThat(at(update, "retry", "$ref")).isEqualTo("#/components/schemas/CreateJob/properties/retry");

        String createHelp = CliRun.run(Map.of(), CliRun.LOCAL, "job", "create", "--help")
                .out()
                .replaceAll("\\s+", " ");
        assertThat(createHelp)
                .contains("idempotent for " + ClientToken.VALIDITY_HOURS + " hours")
                .contains("1-" + ClientToken.MAX_LENGTH + " letters");
        String updateHelp = CliRun.run(Map.of(), CliRun.LOCAL, "job", "update", "--help")
                .out()
                .replaceAll("\\s+", " ");
        assertThat(updateHelp)
                .contains("1-" + RolloutRate.MAX_PER_MINUTE + ".")
                .contains("at most " + RolloutRate.MAX_FACTOR)
                .contains("0-" + (RetryPolicy.MAX_ATTEMPTS_LIMIT - 1) + " (attempts = N + 1)")
                .contains(JobDefinition.MIN_TIMEOUT_TEXT + " to " + JobDefinition.MAX_TIMEOUT_TEXT);
    }

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> node, String... path) {
        Object current = node;
        for (String key : path) {
            current = ((Map<String, Object>) current).get(key);
            assertThat(current).as(String.join(".", path)).isNotNull();
        }
        return current;
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    @Test
    void theOpenApiDocumentStatesTheDomainsLimits() throws Exception {
        Map<String, Object> req = createJobRequest();

        assertThat(number(at(req, "targets", "properties", "deviceNames", "maxItems")))
                .isEqualTo(JobDefinition.MAX_INLINE_DEVICES);
        assertThat(number(at(req, "targets", "properties", "sourceVersions", "maxItems")))
                .isEqualTo(JobDefinition.MAX_SOURCE_VERSIONS);
        assertThat(number(at(req, "retry", "properties", "maxAttempts", "maximum")))
                .isEqualTo(RetryPolicy.MAX_ATTEMPTS_LIMIT);
        assertThat(number(at(req, "retry", "properties", "intervalSeconds", "maximum")))
                .isEqualTo(JobDefinition.MAX_RETRY_INTERVAL.toSeconds());
        assertThat(number(at(req, "rollout", "properties", "rampFactor", "maximum")))
                .isEqualTo(RolloutRate.MAX_FACTOR);
        assertThat(number(at(req, "rollout", "properties", "ratePerMinute", "maximum")))
                .isEqualTo(RolloutRate.MAX_PER_MINUTE);
        assertThat(number(at(req, "stages", "maxItems"))).isEqualTo(StagePlan.MAX_STAGES);
        assertThat(number(at(req, "inProgressTimeoutSeconds", "minimum")))
                .isEqualTo(JobDefinition.MIN_TIMEOUT.toSeconds());
        assertThat(number(at(req, "inProgressTimeoutSeconds", "maximum")))
                .isEqualTo(JobDefinition.MAX_TIMEOUT.toSeconds());
        assertThat(number(at(req, "description", "maxLength"))).isEqualTo(JobDefinition.MAX_DESCRIPTION);
        assertThat(number(at(req, "targets", "properties", "thingGroupName", "maxLength")))
                .isEqualTo(JobDefinition.MAX_THING_GROUP_NAME);
        assertThat(String.valueOf(at(req, "targets", "properties", "thingGroupName", "pattern")))
                .isEqualTo("^" + JobDefinition.THING_GROUP_NAME_PATTERN + "$");
        assertThat(number(at(req, "targets", "properties", "fleetQuery", "maxLength")))
                .isEqualTo(JobDefinition.MAX_FLEET_QUERY);
    }

    @Test
    void theCodeEnforcesThemAtTheEdge() {
        new RetryPolicy(RetryPolicy.MAX_ATTEMPTS_LIMIT, Set.of(-1), Duration.ZERO);
        assertThatThrownBy(() -> new RetryPolicy(RetryPolicy.MAX_ATTEMPTS_LIMIT + 1, Set.of(-1), Duration.ZERO))
                .hasMessageContaining(String.valueOf(RetryPolicy.MAX_ATTEMPTS_LIMIT));
        new RolloutRate(100, 10, RolloutRate.MAX_FACTOR, 5);
        assertThatThrownBy(() -> new RolloutRate(100, 10, RolloutRate.MAX_FACTOR + 0.5, 5))
                .hasMessageContaining("rampFactor");
        assertThatThrownBy(() -> new RolloutRate(RolloutRate.MAX_PER_MINUTE + 1, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Durations.parse(JobDefinition.MIN_TIMEOUT_TEXT)).isEqualTo(JobDefinition.MIN_TIMEOUT);
        assertThat(Durations.parse(JobDefinition.MAX_TIMEOUT_TEXT)).isEqualTo(JobDefinition.MAX_TIMEOUT);
    }

    @Test
    void theCliHelpSaysThem() {
        CliRun help = CliRun.run(Map.of(), CliRun.LOCAL, "job", "create", "--help");

        assertThat(help.exitCode()).isZero();
        String text = help.out().replaceAll("\\s+", " ");
        assertThat(text)
                .contains("up to " + JobDefinition.MAX_INLINE_DEVICES + ";")
                .contains("1-" + RolloutRate.MAX_PER_MINUTE + ".")
                .contains("at most " + RolloutRate.MAX_FACTOR)
                .contains("0-" + (RetryPolicy.MAX_ATTEMPTS_LIMIT - 1) + " (attempts = N + 1)")
                .contains("up to " + StagePlan.MAX_STAGES + ")")
                .contains(JobDefinition.MIN_TIMEOUT_TEXT + " to " + JobDefinition.MAX_TIMEOUT_TEXT);
    }
}
