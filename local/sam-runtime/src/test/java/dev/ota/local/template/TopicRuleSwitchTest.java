package dev.ota.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.local.standin.RepoRoot;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CreateTopicRules and YourRulesNamePattern: an estate's own rules in place of (or beside) the stack's. */
class TopicRuleSwitchTest {

    private static final Path TEMPLATE = RepoRoot.find().resolve("template.yaml");
    private static final String RULES = "arn:aws:iot:us-east-1:123456789012:rule/";

    @Test
    void byDefaultTheStackHasItsTwoRulesAndNoOtherRuleMayInvoke() {
        SamTemplate template = SamTemplate.load(TEMPLATE, Map.of());

        assertThat(template.topicRules()).hasSize(2);
        assertThat(template.lambdaPermissions())
                .noneMatch(p -> p.allows("iot.amazonaws.com", p.functionArn(), RULES + "plant_ota_1", "123456789012"));
    }

    @Test
    void withoutTheRulesYourRulesMayInvokeTheAliases() {
        SamTemplate template =
                SamTemplate.load(TEMPLATE, Map.of("CreateTopicRules", "false", "YourRulesNamePattern", "plant_ota_*"));

        assertThat(template.topicRules()).isEmpty();
        List<SamTemplate.LambdaPermissionSpec> forRules = template.lambdaPermissions().stream()
                .filter(p -> p.principal().equals("iot.amazonaws.com"))
                .toList();
        assertThat(forRules)
                .extracting(SamTemplate.LambdaPermissionSpec::sourceArn)
                .containsExactly(RULES + "plant_ota_*", RULES + "plant_ota_*");
        assertThat(forRules)
                .extracting(SamTemplate.LambdaPermissionSpec::functionArn)
                .allMatch(arn -> arn.endsWith(":live"))
                .anyMatch(arn -> arn.contains("VersionReportFunction"))
                .anyMatch(arn -> arn.contains("ProgressReportFunction"));
        // The device policy still names the rules' Basic Ingest topics (the parameters' names).
        assertThat(template.iotPolicies()).singleElement().asString().contains("$aws/rules/ota_version_report/");
    }
}
