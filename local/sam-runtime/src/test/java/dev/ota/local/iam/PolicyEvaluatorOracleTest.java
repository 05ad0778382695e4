package dev.ota.local.iam;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The local evaluator against an existing one: every case of {@code iam/oracle-cases.json} carries
 * the decision {@code @cloud-copilot/iam-simulate} gave it (recorded by
 * {@code src/test/iam-oracle/oracle.mjs}, which the build does not run), and the local evaluator
 * must give the same one.
 */
class PolicyEvaluatorOracleTest {

    @Test
    void decidesEveryCaseAsIamSimulateDoes() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/iam/oracle-cases.json")) {
            doc = json.readTree(in);
        }
        assertThat(doc.path("oracle").asText()).startsWith("@cloud-copilot/iam-simulate");
        List<String> disagreements = new ArrayList<>();
        int cases = 0;
        for (JsonNode c : doc.path("cases")) {
            cases++;
            Policy policy = Policy.parse("policy", json.convertValue(c.path("policy"), Map.class));
            Map<String, List<String>> context = new LinkedHashMap<>();
            c.path("context").fields().forEachRemaining(e -> {
                List<String> values = new ArrayList<>();
                if (e.getValue().isArray()) {
                    e.getValue().forEach(v -> values.add(v.asText()));
                } else {
                    values.add(e.getValue().asText());
                }
                context.put(e.getKey(), values);
            });
            PolicyEvaluator.Outcome outcome = PolicyEvaluator.evaluate(
                            List.of(policy),
                            new PolicyEvaluator.Request(
                                    c.path("action").asText(),
                                    c.path("resource").asText(),
                                    context))
                    .outcome();
            if (!outcome.name().equals(c.path("expected").asText())) {
                disagreements.add(c.path("name").asText() + ": local " + outcome + ", iam-simulate "
                        + c.path("expected").asText());
            }
        }
        assertThat(cases).isGreaterThan(60);
        assertThat(disagreements).isEmpty();
    }
}
