package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.device.Registered;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.StandInClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The report rules as template.yaml declares them (AWS::IoT::TopicRule with fixed names): Basic
 * Ingest topics reach exactly the rule they name, and a rule whose Lambda permission is missing
 * invokes nothing and hands the report to its error action, the TopicRuleErrorQueue, in AWS's
 * error-message format.
 */
class TopicRulesIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String VERSION_REPORT = "{\"type\":\"report_version\",\"report\":{\"version\":\"1.0.0\"}}";

    @Test
    void aBasicIngestPublishReachesTheRuleItNamesAndNoOther() throws Exception {
        LocalStack stack = SharedStack.get();
        try (SimulatedDevice device =
                new SimulatedDevice(Registered.mqttUrl(stack, "INGEST", "dev-1"), "INGEST", "dev-1", "ota").connect()) {
            int before = stack.router().invocations();
            device.publishTo(
                    "$aws/rules/ota_version_report/" + device.reportTopic(),
                    VERSION_REPORT.getBytes(StandardCharsets.UTF_8));

            JsonNode answer = device.await("report_version_rsp", WAIT);
            assertThat(answer.path("result_code").asInt()).isZero();
            SharedStack.awaitRouted(stack, before, 1);
            assertThat(stack.router().invocations())
                    .as("only the version rule, not the progress rule too")
                    .isEqualTo(before + 1);

            // The progress rule's Basic Ingest topic with a version report: its WHERE excludes it.
            device.publishTo(
                    "$aws/rules/ota_progress_report/" + device.reportTopic(),
                    VERSION_REPORT.getBytes(StandardCharsets.UTF_8));
            SharedStack.sleep(300);
            assertThat(stack.router().awaitIdle(15_000)).isTrue();
            assertThat(stack.router().invocations()).isEqualTo(before + 1);
        }
    }

    @Test
    void withoutItsLambdaPermissionARuleInvokesNothingAndItsErrorActionGetsTheReport() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults()
                .withTemplateEdit(t -> t.edited(root -> {
                    Map<?, ?> resources = (Map<?, ?>) root.get("Resources");
                    assertThat(resources.remove("VersionReportTopicRulePermission"))
                            .isNotNull();
                })))) {
            try (SimulatedDevice device = new SimulatedDevice(
                            Registered.mqttUrl(stack, "NOPERM", "dev-1"), "NOPERM", "dev-1", "ota")
                    .connect()) {
                device.reportVersion("1.0.0");

                List<Message> errors = awaitMessages(stack, "TopicRuleErrorQueue");
                assertThat(errors).hasSize(1);
                JsonNode error = SharedStack.JSON.readTree(errors.get(0).body());
                assertThat(error.path("ruleName").asText()).isEqualTo("ota_version_report");
                assertThat(error.path("topic").asText()).isEqualTo("ota/report/NOPERM/dev-1");
                assertThat(error.path("clientId").asText()).isEqualTo("NOPERM::dev-1");
                assertThat(new String(
                                Base64.getDecoder()
                                        .decode(error.path("base64OriginalPayload")
                                                .asText()),
                                StandardCharsets.UTF_8))
                        .contains("\"report_version\"");
                assertThat(error.at("/failures/0/errorMessage").asText())
                        .contains("AccessDeniedException")
                        .contains("rule/ota_version_report");
                assertThat(stack.router().actionFailures()).isEqualTo(1);
                assertThat(stack.router().invocations()).isZero();
                assertThat(device.drain()).as("no answer").isEmpty();

                // The other rule keeps its permission and works.
                device.reportDownloading("1.1.0", 10);
                SharedStack.awaitRouted(stack, 0, 1);
            }
        }
    }

    private static List<Message> awaitMessages(LocalStack stack, String queue) {
        String url = stack.queues().url(queue);
        try (SqsClient sqs = StandInClients.sqs(
                stack.aws().dynamoDbEndpoint(),
                ClientOverrideConfiguration.builder().build())) {
            long deadline = System.currentTimeMillis() + WAIT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10))
                        .messages();
                if (!messages.isEmpty()) {
                    return messages;
                }
                SharedStack.sleep(50);
            }
        }
        return List.of();
    }
}
