package dev.ota.local.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyTest {

    private static Map<String, Object> doc(Object... statements) {
        return Map.of("Version", "2012-10-17", "Statement", List.of(statements));
    }

    @Test
    void readsStatementsWithSingleValuesOrLists() {
        Policy p = Policy.parse(
                "r/p",
                doc(
                        Map.of(
                                "Sid",
                                "Read",
                                "Effect",
                                "Allow",
                                "Action",
                                "s3:GetObject",
                                "Resource",
                                "arn:aws:s3:::b/*"),
                        Map.of(
                                "Effect",
                                "Deny",
                                "NotAction",
                                List.of("s3:GetObject", "s3:ListBucket"),
                                "NotResource",
                                List.of("arn:aws:s3:::b/*"))));

        assertThat(p.statements()).hasSize(2);
        assertThat(p.statements().get(0)).satisfies(s -> {
            assertThat(s.sid()).isEqualTo("Read");
            assertThat(s.effect()).isEqualTo(Policy.Effect.ALLOW);
            assertThat(s.actions()).containsExactly("s3:GetObject");
            assertThat(s.notAction()).isFalse();
        });
        assertThat(p.statements().get(1)).satisfies(s -> {
            assertThat(s.label(1)).isEqualTo("#2");
            assertThat(s.notAction()).isTrue();
            assertThat(s.notResource()).isTrue();
            assertThat(s.actions()).containsExactly("s3:GetObject", "s3:ListBucket");
        });
    }

    @Test
    void aSingleStatementObjectIsAccepted() {
        Policy p = Policy.parse("p", Map.of("Statement", Map.of("Effect", "Allow", "Action", "*", "Resource", "*")));
        assertThat(p.statements()).hasSize(1);
    }

    @Test
    void conditionsKeepTheirOperatorAndLowercaseTheirKey() {
        Policy p = Policy.parse(
                "p",
                doc(Map.of(
                        "Effect",
                        "Allow",
                        "Action",
                        "s3:ListBucket",
                        "Resource",
                        "arn:aws:s3:::b",
                        "Condition",
                        Map.of(
                                "ForAnyValue:StringLikeIfExists",
                                Map.of("S3:Prefix", List.of("firmware/*", "lists/*"))))));

        Policy.Condition c = p.statements().get(0).conditions().get(0);
        assertThat(c.key()).isEqualTo("s3:prefix");
        assertThat(c.values()).containsExactly("firmware/*", "lists/*");
        assertThat(c.setOperator()).isEqualTo("ForAnyValue");
        assertThat(c.ifExists()).isTrue();
        assertThat(c.base()).isEqualTo("stringlike");
    }

    @Test
    void booleansAndNumbersInConditionsAreReadAsText() {
        Policy p = Policy.parse(
                "p",
                doc(Map.of(
                        "Effect",
                        "Deny",
                        "Action",
                        "s3:*",
                        "Resource",
                        "*",
                        "Condition",
                        Map.of("Bool", Map.of("aws:SecureTransport", false)))));
        assertThat(p.statements().get(0).conditions().get(0).values()).containsExactly("false");
    }

    @Test
    void refusesWhatItCannotEvaluate() {
        assertThatThrownBy(() -> Policy.parse(
                        "p", doc(Map.of("Effect", "Allow", "Principal", "*", "Action", "s3:*", "Resource", "*"))))
                .hasMessageContaining("Principal");
        assertThatThrownBy(() -> Policy.parse(
                        "p",
                        doc(Map.of(
                                "Effect",
                                "Allow",
                                "Action",
                                "s3:GetObject",
                                "Resource",
                                "arn:aws:s3:::b/${aws:username}/*"))))
                .hasMessageContaining("policy variable");
        assertThatThrownBy(() -> Policy.parse(
                        "p",
                        doc(Map.of(
                                "Effect",
                                "Allow",
                                "Action",
                                "s3:*",
                                "Resource",
                                "*",
                                "Condition",
                                Map.of("IpAddress", Map.of("aws:SourceIp", "10.0.0.0/8"))))))
                .hasMessageContaining("IpAddress");
        assertThatThrownBy(() -> Policy.parse(
                        "p",
                        doc(Map.of(
                                "Effect",
                                "Allow",
                                "Action",
                                "s3:*",
                                "Resource",
                                "*",
                                "Condition",
                                Map.of("DateLessThan", Map.of("aws:CurrentTime", "2030-01-01T00:00:00Z"))))))
                .hasMessageContaining("DateLessThan");
        assertThatThrownBy(() -> Policy.parse("p", doc(Map.of("Effect", "allow", "Action", "s3:*", "Resource", "*"))))
                .hasMessageContaining("Effect");
        assertThatThrownBy(() -> Policy.parse(
                        "p", doc(Map.of("Effect", "Allow", "Action", "s3:*", "NotAction", "s3:Get*", "Resource", "*"))))
                .hasMessageContaining("exactly one of Action and NotAction");
        assertThatThrownBy(() -> Policy.parse("p", doc(Map.of("Effect", "Allow", "Action", "s3:*"))))
                .hasMessageContaining("exactly one of Resource and NotResource");
        assertThatThrownBy(
                        () -> Policy.parse("p", doc(Map.of("Effect", "Allow", "Action", "GetObject", "Resource", "*"))))
                .hasMessageContaining("service prefix");
        assertThatThrownBy(() -> Policy.parse(
                        "p", doc(Map.of("Effect", "Allow", "Action", "s3:*", "Resource", "*", "Sids", "x"))))
                .hasMessageContaining("unknown statement element Sids");
        assertThatThrownBy(() -> Policy.parse("p", Map.of("Version", "2099-01-01", "Statement", List.of())))
                .hasMessageContaining("Version");
    }

    @Test
    void refusalsNameThePolicyAndTheStatement() {
        assertThatThrownBy(() -> Policy.parse(
                        "JobWorkerRole/job-worker",
                        doc(Map.of(
                                "Sid",
                                "Broken",
                                "Effect",
                                "Allow",
                                "Action",
                                "s3:*",
                                "Resource",
                                "*",
                                "Condition",
                                Map.of("IpAddress", Map.of("aws:SourceIp", "10.0.0.0/8"))))))
                .isInstanceOf(Policy.UnsupportedPolicyException.class)
                .hasMessageStartingWith("JobWorkerRole/job-worker statement Broken:");
    }
}
