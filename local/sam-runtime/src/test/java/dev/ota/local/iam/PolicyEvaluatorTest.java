package dev.ota.local.iam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.local.iam.PolicyEvaluator.Outcome;
import dev.ota.local.iam.PolicyEvaluator.Request;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyEvaluatorTest {

    private static final String TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Jobs";

    private static Policy policy(String name, Map<?, ?>... statements) {
        return Policy.parse(name, Map.of("Version", "2012-10-17", "Statement", List.of(statements)));
    }

    private static PolicyEvaluator.Decision decide(Policy p, String action, String resource) {
        return PolicyEvaluator.evaluate(List.of(p), new Request(action, resource));
    }

    @Test
    void anAllowingStatementIsNamedInTheDecision() {
        Policy p = policy(
                "Role/p",
                Map.of("Sid", "JobsTable", "Effect", "Allow", "Action", "dynamodb:GetItem", "Resource", TABLE));

        PolicyEvaluator.Decision d = decide(p, "dynamodb:GetItem", TABLE);

        assertThat(d.outcome()).isEqualTo(Outcome.ALLOWED);
        assertThat(d.policy()).isEqualTo("Role/p");
        assertThat(d.statement()).isEqualTo("JobsTable");
    }

    @Test
    void nothingAllowingIsTheDefaultDeny() {
        Policy p = policy("p", Map.of("Effect", "Allow", "Action", "dynamodb:GetItem", "Resource", TABLE));

        assertThat(decide(p, "dynamodb:PutItem", TABLE).outcome()).isEqualTo(Outcome.IMPLICIT_DENY);
        assertThat(decide(p, "dynamodb:GetItem", TABLE + "/index/byLive").outcome())
                .isEqualTo(Outcome.IMPLICIT_DENY);
        assertThat(PolicyEvaluator.evaluate(List.of(), new Request("s3:GetObject", "arn:aws:s3:::b/k"))
                        .outcome())
                .isEqualTo(Outcome.IMPLICIT_DENY);
    }

    @Test
    void anExplicitDenyWinsWhateverTheOrderAndThePolicy() {
        Policy allow = policy("allow", Map.of("Effect", "Allow", "Action", "s3:*", "Resource", "*"));
        Policy deny = policy(
                "deny",
                Map.of(
                        "Sid",
                        "NoDeletes",
                        "Effect",
                        "Deny",
                        "Action",
                        "s3:DeleteObject",
                        "Resource",
                        "arn:aws:s3:::b/*"));

        for (List<Policy> order : List.of(List.of(allow, deny), List.of(deny, allow))) {
            PolicyEvaluator.Decision d =
                    PolicyEvaluator.evaluate(order, new Request("s3:DeleteObject", "arn:aws:s3:::b/k"));
            assertThat(d.outcome()).isEqualTo(Outcome.EXPLICIT_DENY);
            assertThat(d.statement()).isEqualTo("NoDeletes");
        }
        assertThat(PolicyEvaluator.evaluate(List.of(allow, deny), new Request("s3:GetObject", "arn:aws:s3:::b/k"))
                        .allowed())
                .isTrue();
    }

    @Test
    void actionsIgnoreCaseResourcesDoNot() {
        Policy p = policy(
                "p", Map.of("Effect", "Allow", "Action", "S3:getobject", "Resource", "arn:aws:s3:::b/download-*"));

        assertThat(decide(p, "s3:GetObject", "arn:aws:s3:::b/download-1").allowed())
                .isTrue();
        assertThat(decide(p, "s3:GetObject", "arn:aws:s3:::b/DOWNLOAD-1").allowed())
                .isFalse();
    }

    @Test
    void notActionAndNotResourceMatchWhatTheyDoNotList() {
        Policy p = policy(
                "p", Map.of("Effect", "Allow", "NotAction", "s3:Delete*", "NotResource", "arn:aws:s3:::b/firmware/*"));

        assertThat(decide(p, "s3:GetObject", "arn:aws:s3:::b/download-1").allowed())
                .isTrue();
        assertThat(decide(p, "s3:DeleteObject", "arn:aws:s3:::b/download-1").allowed())
                .isFalse();
        assertThat(decide(p, "s3:GetObject", "arn:aws:s3:::b/firmware/x").allowed())
                .isFalse();
    }

    @Test
    void conditionsOnRequestKeys() {
        Policy p = policy(
                "p",
                Map.of(
                        "Effect",
                        "Allow",
                        "Action",
                        "s3:ListBucket",
                        "Resource",
                        "arn:aws:s3:::b",
                        "Condition",
                        Map.of("StringLike", Map.of("s3:prefix", "firmware/*"))));

        assertThat(PolicyEvaluator.evaluate(
                                List.of(p),
                                new Request(
                                        "s3:ListBucket",
                                        "arn:aws:s3:::b",
                                        Map.of("S3:PREFIX", List.of("firmware/P/1.0/x"))))
                        .allowed())
                .isTrue();
        assertThat(PolicyEvaluator.evaluate(
                                List.of(p),
                                new Request(
                                        "s3:ListBucket", "arn:aws:s3:::b", Map.of("s3:prefix", List.of("download-1"))))
                        .allowed())
                .isFalse();
        assertThat(decide(p, "s3:ListBucket", "arn:aws:s3:::b").allowed())
                .as("key absent")
                .isFalse();
    }

    @Test
    void missingKeysFollowIam() {
        assertThat(PolicyEvaluator.holds(new Policy.Condition("StringEquals", "k", List.of("v")), null))
                .isFalse();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("StringNotEquals", "k", List.of("v")), null))
                .isTrue();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("StringEqualsIfExists", "k", List.of("v")), null))
                .isTrue();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("ForAllValues:StringEquals", "k", List.of("v")), null))
                .isTrue();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("ForAnyValue:StringNotEquals", "k", List.of("v")), null))
                .isFalse();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("Null", "k", List.of("true")), null))
                .isTrue();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("Null", "k", List.of("false")), null))
                .isFalse();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("Bool", "k", List.of("true")), null))
                .isFalse();
    }

    @Test
    void operators() {
        assertThat(PolicyEvaluator.holds(new Policy.Condition("StringEquals", "k", List.of("a", "b")), List.of("b")))
                .isTrue();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("StringEquals", "k", List.of("B")), List.of("b")))
                .isFalse();
        assertThat(PolicyEvaluator.holds(
                        new Policy.Condition("StringEqualsIgnoreCase", "k", List.of("B")), List.of("b")))
                .isTrue();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("StringNotEquals", "k", List.of("a", "b")), List.of("b")))
                .isFalse();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("StringNotLike", "k", List.of("a*")), List.of("bc")))
                .isTrue();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("Bool", "k", List.of("true")), List.of("TRUE")))
                .isTrue();
        assertThat(PolicyEvaluator.holds(
                        new Policy.Condition("ArnLike", "k", List.of("arn:aws:iam::1:role/ota-*")),
                        List.of("arn:aws:iam::1:role/ota-x")))
                .isTrue();
        assertThat(PolicyEvaluator.holds(
                        new Policy.Condition("ArnNotEquals", "k", List.of("arn:aws:iam::1:role/a")),
                        List.of("arn:aws:iam::1:role/b")))
                .isTrue();
        assertThat(PolicyEvaluator.holds(
                        new Policy.Condition("NumericLessThanEquals", "k", List.of("10")), List.of("10")))
                .isTrue();
        assertThat(PolicyEvaluator.holds(
                        new Policy.Condition("NumericGreaterThan", "k", List.of("10")), List.of("9.5")))
                .isFalse();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("NumericGreaterThan", "k", List.of("10")), List.of("x")))
                .isFalse();
        assertThat(PolicyEvaluator.holds(new Policy.Condition("NumericNotEquals", "k", List.of("10")), List.of("11")))
                .isTrue();
    }

    @Test
    void setOperatorsOverMultiValuedKeys() {
        Policy.Condition any = new Policy.Condition("ForAnyValue:StringEquals", "k", List.of("a"));
        Policy.Condition all = new Policy.Condition("ForAllValues:StringEquals", "k", List.of("a", "b"));

        assertThat(PolicyEvaluator.holds(any, List.of("x", "a"))).isTrue();
        assertThat(PolicyEvaluator.holds(any, List.of("x", "y"))).isFalse();
        assertThat(PolicyEvaluator.holds(all, List.of("a", "b"))).isTrue();
        assertThat(PolicyEvaluator.holds(all, List.of("a", "c"))).isFalse();
    }

    @Test
    void everyConditionOfAStatementMustHold() {
        Policy p = policy(
                "p",
                Map.of(
                        "Effect",
                        "Allow",
                        "Action",
                        "s3:ListBucket",
                        "Resource",
                        "*",
                        "Condition",
                        Map.of(
                                "StringLike", Map.of("s3:prefix", "firmware/*"),
                                "StringEquals", Map.of("aws:RequestedRegion", "us-east-1"))));

        assertThat(PolicyEvaluator.evaluate(
                                List.of(p),
                                new Request(
                                        "s3:ListBucket",
                                        "arn:aws:s3:::b",
                                        Map.of(
                                                "s3:prefix",
                                                List.of("firmware/x"),
                                                "aws:RequestedRegion",
                                                List.of("us-east-1"))))
                        .allowed())
                .isTrue();
        assertThat(PolicyEvaluator.evaluate(
                                List.of(p),
                                new Request(
                                        "s3:ListBucket",
                                        "arn:aws:s3:::b",
                                        Map.of(
                                                "s3:prefix",
                                                List.of("firmware/x"),
                                                "aws:RequestedRegion",
                                                List.of("eu-west-1"))))
                        .allowed())
                .isFalse();
    }
}
