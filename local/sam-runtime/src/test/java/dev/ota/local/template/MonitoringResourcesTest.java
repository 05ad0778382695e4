package dev.ota.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.local.standin.CloudFormationYaml;
import dev.ota.local.standin.CloudFormationYaml.Intrinsic;
import dev.ota.local.standin.RepoRoot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitoring of template.yaml points at what the template has: every alarm, the dashboard, the
 * saved queries and the topic rules' error actions name only resources and parameters that exist;
 * every dead-letter queue has a depth alarm and a dashboard line; every function is in the errors
 * and throttles alarms and on the dashboard.
 */
class MonitoringResourcesTest {

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(?!!)([^}]+)}");
    private static final Map<String, Object> ROOT =
            CloudFormationYaml.load(RepoRoot.find().resolve("template.yaml"));

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static Map<String, Object> resources() {
        return map(ROOT.get("Resources"));
    }

    private static Map<String, Map<String, Object>> ofType(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        resources().forEach((id, r) -> {
            if (type.equals(map(r).get("Type"))) {
                found.put(id, map(r));
            }
        });
        return found;
    }

    /** Every name a value refers to: Ref, GetAtt (its resource) and ${...} of Sub, local Sub variables excluded. */
    private static Set<String> references(Object value) {
        Set<String> names = new LinkedHashSet<>();
        collect(value, Set.of(), names);
        return names;
    }

    private static void collect(Object value, Set<String> local, Set<String> names) {
        if (value instanceof Intrinsic i) {
            switch (i.function()) {
                case "Ref" -> names.add(String.valueOf(i.argument()).split("\\.")[0]);
                case "GetAtt" -> {
                    Object arg = i.argument();
                    names.add(
                            arg instanceof List<?> l
                                    ? String.valueOf(l.get(0))
                                    : String.valueOf(arg).split("\\.")[0]);
                }
                case "Sub" -> {
                    Object arg = i.argument();
                    if (arg instanceof List<?> l) {
                        Map<String, Object> vars = map(l.get(1));
                        vars.values().forEach(v -> collect(v, local, names));
                        collect(l.get(0), vars.keySet(), names);
                    } else {
                        subReferences(String.valueOf(arg), local, names);
                    }
                }
                default -> collect(i.argument(), local, names);
            }
        } else if (value instanceof String s && !local.isEmpty()) {
            subReferences(s, local, names);
        } else if (value instanceof Map<?, ?> m) {
            m.values().forEach(v -> collect(v, local, names));
        } else if (value instanceof List<?> l) {
            l.forEach(v -> collect(v, local, names));
        }
    }

    private static void subReferences(String template, Set<String> local, Set<String> names) {
        Matcher m = SUB_VARIABLE.matcher(template);
        while (m.find()) {
            String name = m.group(1).split("\\.")[0];
            if (!local.contains(name)) {
                names.add(name);
            }
        }
    }

    private static void assertAllExist(String what, Object value) {
        Set<String> parameters = map(ROOT.get("Parameters")).keySet();
        for (String name : references(value)) {
            assertThat(name.startsWith("AWS::")
                            || parameters.contains(name)
                            || resources().containsKey(name))
                    .as(what + " refers to " + name + ", which template.yaml does not declare")
                    .isTrue();
        }
    }

    @Test
    void alarmsDashboardQueriesAndErrorActionsReferToWhatTheTemplateDeclares() {
        Map<String, Map<String, Object>> alarms = ofType("AWS::CloudWatch::Alarm");
        assertThat(alarms).hasSizeGreaterThanOrEqualTo(10);
        alarms.forEach((id, alarm) -> {
            assertAllExist(id, alarm);
            assertThat(references(map(alarm.get("Properties")).get("AlarmActions")))
                    .as(id + " notifies the alarm topic")
                    .containsExactly("AlarmTopic");
        });
        ofType("AWS::CloudWatch::Dashboard").forEach(this::assertExists);
        ofType("AWS::Logs::QueryDefinition").forEach((id, q) -> {
            assertAllExist(id, q);
            assertThat(references(map(q.get("Properties")).get("LogGroupNames")))
                    .allSatisfy(group ->
                            assertThat(map(resources().get(group)).get("Type")).isEqualTo("AWS::Logs::LogGroup"));
        });
        Map<String, Map<String, Object>> rules = ofType("AWS::IoT::TopicRule");
        assertThat(rules).isNotEmpty();
        rules.forEach((id, rule) -> {
            Object errorAction =
                    map(map(rule.get("Properties")).get("TopicRulePayload")).get("ErrorAction");
            assertThat(errorAction).as(id + " has an ErrorAction").isNotNull();
            assertAllExist(id + ".ErrorAction", errorAction);
        });
    }

    private void assertExists(String id, Map<String, Object> resource) {
        assertAllExist(id, resource);
    }

    /** The queues where failures end: functions' on-failure destinations, redrive targets, rule error queues, event DLQs. */
    private static Set<String> deadLetterQueues() {
        Set<String> queues = new LinkedHashSet<>();
        ofType("AWS::Serverless::Function").forEach((id, f) -> {
            Map<String, Object> props = map(f.get("Properties"));
            queues.addAll(references(map(map(map(props.get("EventInvokeConfig")).get("DestinationConfig"))
                            .get("OnFailure"))
                    .get("Destination")));
            map(props.get("Events"))
                    .values()
                    .forEach(e -> queues.addAll(
                            references(map(map(map(e).get("Properties")).get("DeadLetterConfig"))
                                    .get("Arn"))));
        });
        ofType("AWS::SQS::Queue")
                .values()
                .forEach(q -> queues.addAll(references(
                        map(map(q.get("Properties")).get("RedrivePolicy")).get("deadLetterTargetArn"))));
        ofType("AWS::IoT::TopicRule")
                .values()
                .forEach(r -> queues.addAll(references(map(
                        map(map(r.get("Properties")).get("TopicRulePayload")).get("ErrorAction")))));
        queues.removeIf(q -> !"AWS::SQS::Queue".equals(map(resources().get(q)).get("Type")));
        return queues;
    }

    @Test
    void everyDeadLetterQueueHasADepthAlarmAndADashboardLine() {
        Set<String> queues = deadLetterQueues();
        assertThat(queues)
                .contains(
                        "VersionReportDeadLetterQueue",
                        "ProgressReportDeadLetterQueue",
                        "JobWorkDeadLetterQueue",
                        "JobSchedulerDeadLetterQueue",
                        "TopicRuleErrorQueue");
        List<String> alarmed = new ArrayList<>();
        ofType("AWS::CloudWatch::Alarm").values().forEach(a -> {
            Map<String, Object> props = map(a.get("Properties"));
            if ("ApproximateNumberOfMessagesVisible".equals(props.get("MetricName"))) {
                alarmed.addAll(references(props.get("Dimensions")));
            }
        });
        Set<String> onDashboard = new LinkedHashSet<>();
        ofType("AWS::CloudWatch::Dashboard").values().forEach(d -> onDashboard.addAll(references(d)));
        for (String queue : queues) {
            assertThat(alarmed).as("a depth alarm on " + queue).contains(queue);
            assertThat(onDashboard).as("the dashboard shows " + queue).contains(queue);
        }
    }

    @Test
    void everyFunctionIsInTheErrorAndThrottleAlarmsAndOnTheDashboard() {
        Set<String> functions = ofType("AWS::Serverless::Function").keySet();
        Map<String, Object> errors =
                map(map(resources().get("FunctionErrorsAlarm")).get("Properties"));
        Map<String, Object> throttles =
                map(map(resources().get("FunctionThrottlesAlarm")).get("Properties"));
        Set<String> onDashboard = references(resources().get("OperationsDashboard"));
        assertThat(references(errors.get("Metrics"))).containsAll(functions);
        assertThat(references(throttles.get("Metrics"))).containsAll(functions);
        assertThat(onDashboard).containsAll(functions);
        assertThat(onDashboard)
                .as("the dashboard's alarm widget lists every alarm")
                .containsAll(ofType("AWS::CloudWatch::Alarm").keySet());
    }
}
