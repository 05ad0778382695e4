package dev.ota.local.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.local.standin.CloudFormationTables;
import dev.ota.local.standin.CloudFormationYaml;
import dev.ota.local.standin.CloudFormationYaml.Intrinsic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * template.yaml as the local stack reads it: the functions (handler, environment, IoT rule SQL)
 * and the DynamoDB tables. Reading the deployed template, rather than a copy of its facts, is what
 * keeps the local stack from drifting from AWS.
 *
 * <p>Intrinsics are resolved as the local deployment ({@link LocalDeployment}: its account,
 * region and stack id) resolves them, see {@link Intrinsics}: {@code !Ref} of a parameter gives its
 * value, of a table or queue its logical id (local tables and queues are named so), of a bucket its
 * name. Where the functions' settings are read, what cannot be resolved gives null and the local
 * stack supplies it; where IAM is read ({@link #role}), it stops the stack.
 * The YAML itself is read by {@link CloudFormationYaml}, the tables by {@link CloudFormationTables}.
 */
public final class SamTemplate {

    private final Map<String, Object> root;
    private final Map<String, String> overrides;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final LocalDeployment deployment;
    private final Intrinsics intrinsics;

    private SamTemplate(Map<String, Object> root, Map<String, String> overrides, LocalDeployment deployment) {
        this.root = root;
        this.overrides = Map.copyOf(overrides);
        this.deployment = deployment;
        map(root.get("Parameters")).forEach((name, spec) -> {
            Object fallback = map(spec).get("Default");
            parameters.put(name, fallback == null ? null : String.valueOf(fallback));
        });
        parameters.putAll(overrides);
        this.intrinsics = new Intrinsics(root, parameters, deployment);
    }

    public static SamTemplate load(Path file, Map<String, String> parameterOverrides) {
        return load(file, parameterOverrides, LocalDeployment.DEFAULT);
    }

    public static SamTemplate load(Path file, Map<String, String> parameterOverrides, LocalDeployment deployment) {
        return new SamTemplate(CloudFormationYaml.load(file), parameterOverrides, deployment);
    }

    /** A copy of this template with {@code edit} applied to its parsed form (tests that take a grant away). */
    public SamTemplate edited(Consumer<Map<String, Object>> edit) {
        Map<String, Object> copy = deepCopy(root);
        edit.accept(copy);
        Map<String, String> overrides = new LinkedHashMap<>(parameters);
        overrides.values().removeIf(Objects::isNull);
        return new SamTemplate(copy, overrides, deployment);
    }

    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), deepCopy(v)));
            return (T) out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(deepCopy(v)));
            return (T) out;
        }
        if (value instanceof Intrinsic i) {
            return (T) new Intrinsic(i.function(), deepCopy(i.argument()));
        }
        return value;
    }

    public LocalDeployment deployment() {
        return deployment;
    }

    /** A resource's local physical name: a table's or queue's logical id, a bucket's name, a role's name. */
    public String physicalName(String logicalId) {
        try {
            return intrinsics.physicalName(logicalId);
        } catch (Intrinsics.UnresolvableException e) {
            throw new IllegalStateException("template.yaml: " + e.getMessage(), e);
        }
    }

    /** {@code !GetAtt X.Arn} in the local deployment. */
    public String arn(String logicalId) {
        try {
            return intrinsics.arn(logicalId);
        } catch (Intrinsics.UnresolvableException e) {
            throw new IllegalStateException("template.yaml: " + e.getMessage(), e);
        }
    }

    /** The logical ids of the template's resources of one type, in template order. */
    public List<String> resourcesOfType(String type) {
        return new ArrayList<>(resources(type).keySet());
    }

    /**
     * A function's execution role as the template declares it.
     *
     * @param policies           inline policies ({@code Policies}), name to resolved document
     * @param unsupported        what the role has that the local stack cannot evaluate (managed policies,
     *                           a permissions boundary, policies attached from other resources); empty when none
     */
    public record RoleSpec(
            String logicalId, String name, String arn, Map<String, Object> policies, List<String> unsupported) {}

    /** The execution role of a function ({@code Role: !GetAtt XRole.Arn}); its policies resolved strictly. */
    public RoleSpec role(String functionLogicalId) {
        Map<String, Object> function = map(map(root.get("Resources")).get(functionLogicalId));
        Object roleRef = map(function.get("Properties")).get("Role");
        if (roleRef == null) {
            throw new IllegalStateException(
                    "template.yaml: " + functionLogicalId + " has no Role; the local stack enforces only explicit "
                            + "AWS::IAM::Role resources (a role SAM generates from Policies would add managed policies it cannot read)");
        }
        String roleId = logicalIdOf(roleRef);
        Map<String, Object> role = map(map(root.get("Resources")).get(roleId));
        if (!"AWS::IAM::Role".equals(role.get("Type"))) {
            throw new IllegalStateException("template.yaml: " + functionLogicalId + ".Role names " + roleId
                    + ", not an AWS::IAM::Role of this template");
        }
        Map<String, Object> props = map(role.get("Properties"));
        List<String> unsupported = new ArrayList<>();
        if (props.get("ManagedPolicyArns") != null) {
            unsupported.add("ManagedPolicyArns");
        }
        if (props.get("PermissionsBoundary") != null) {
            unsupported.add("PermissionsBoundary");
        }
        resources("AWS::IAM::Policy")
                .forEach((id, p) -> list(p.get("Roles")).forEach(r -> {
                    if (roleId.equals(logicalIdOf(r))) {
                        unsupported.add("AWS::IAM::Policy " + id);
                    }
                }));
        resources("AWS::IAM::ManagedPolicy")
                .forEach((id, p) -> list(p.get("Roles")).forEach(r -> {
                    if (roleId.equals(logicalIdOf(r))) {
                        unsupported.add("AWS::IAM::ManagedPolicy " + id);
                    }
                }));
        Map<String, Object> policies = new LinkedHashMap<>();
        try {
            for (Object policy : list(props.get("Policies"))) {
                Map<String, Object> p = map(policy);
                policies.put(
                        String.valueOf(intrinsics.resolve(p.get("PolicyName"))),
                        intrinsics.resolve(p.get("PolicyDocument")));
            }
            return new RoleSpec(roleId, intrinsics.physicalName(roleId), intrinsics.arn(roleId), policies, unsupported);
        } catch (Intrinsics.UnresolvableException e) {
            throw new IllegalStateException("template.yaml: " + roleId + ": " + e.getMessage(), e);
        }
    }

    /**
     * An {@code AWS::IoT::TopicRule} as it is deployed: its fixed name and ARN, its SQL, the functions
     * its Lambda actions invoke and where its error action puts what it could not deliver.
     *
     * @param lambdaActions the Lambda actions, in order: the function each invokes and the ARN it names
     *     (the {@code live} alias, when the template says {@code !Ref Function.Alias})
     * @param errorQueue the SQS queue (logical id) of its {@code ErrorAction}, or null when it has none
     */
    public record TopicRuleSpec(
            String logicalId,
            String ruleName,
            String arn,
            String sql,
            String sqlVersion,
            boolean disabled,
            List<LambdaAction> lambdaActions,
            String errorQueue) {}

    /** A topic rule's Lambda action: the function (logical id) and the ARN it invokes. */
    public record LambdaAction(String functionLogicalId, String functionArn) {}

    /** An {@code AWS::Lambda::Permission}: who may invoke which function ARN, from where. */
    public record LambdaPermissionSpec(
            String logicalId,
            String functionArn,
            String action,
            String principal,
            String sourceArn,
            String sourceAccount) {

        /** Whether it lets {@code principal} invoke {@code functionArn} on behalf of {@code sourceArn}. */
        public boolean allows(String principal, String functionArn, String sourceArn, String sourceAccount) {
            return principal.equals(this.principal)
                    && functionArn.equals(this.functionArn)
                    && ("lambda:InvokeFunction".equals(action) || "lambda:*".equals(action))
                    && (this.sourceArn == null || this.sourceArn.equals(sourceArn))
                    && (this.sourceAccount == null || this.sourceAccount.equals(sourceAccount));
        }
    }

    /** The template's topic rules (those whose {@code Condition}, if any, holds), in template order. */
    public List<TopicRuleSpec> topicRules() {
        List<TopicRuleSpec> rules = new ArrayList<>();
        resources("AWS::IoT::TopicRule").forEach((id, props) -> {
            Map<String, Object> payload = map(props.get("TopicRulePayload"));
            try {
                List<LambdaAction> lambdas = new ArrayList<>();
                for (Object action : list(payload.get("Actions"))) {
                    Object lambda = map(action).get("Lambda");
                    if (lambda == null) {
                        throw new IllegalStateException("template.yaml: " + id + ": the local stack runs Lambda rule"
                                + " actions only, not " + map(action).keySet());
                    }
                    Object arn = map(lambda).get("FunctionArn");
                    lambdas.add(new LambdaAction(logicalIdOf(arn), String.valueOf(intrinsics.resolve(arn))));
                }
                Map<String, Object> sqs = map(map(payload.get("ErrorAction")).get("Sqs"));
                Object disabled = payload.get("RuleDisabled");
                rules.add(new TopicRuleSpec(
                        id,
                        intrinsics.physicalName(id),
                        intrinsics.arn(id),
                        resolve(payload.get("Sql")),
                        resolve(payload.get("AwsIotSqlVersion")),
                        disabled != null && Boolean.parseBoolean(resolve(disabled)),
                        lambdas,
                        sqs.isEmpty() ? null : logicalIdOf(sqs.get("QueueUrl"))));
            } catch (Intrinsics.UnresolvableException e) {
                throw new IllegalStateException("template.yaml: " + id + ": " + e.getMessage(), e);
            }
        });
        return rules;
    }

    /** The template's {@code AWS::Lambda::Permission}s, resolved for the local deployment. */
    public List<LambdaPermissionSpec> lambdaPermissions() {
        List<LambdaPermissionSpec> permissions = new ArrayList<>();
        resources("AWS::Lambda::Permission").forEach((id, props) -> {
            try {
                permissions.add(new LambdaPermissionSpec(
                        id,
                        String.valueOf(intrinsics.resolve(props.get("FunctionName"))),
                        String.valueOf(intrinsics.resolve(props.get("Action"))),
                        String.valueOf(intrinsics.resolve(props.get("Principal"))),
                        props.get("SourceArn") == null
                                ? null
                                : String.valueOf(intrinsics.resolve(props.get("SourceArn"))),
                        props.get("SourceAccount") == null
                                ? null
                                : String.valueOf(intrinsics.resolve(props.get("SourceAccount")))));
            } catch (Intrinsics.UnresolvableException e) {
                throw new IllegalStateException("template.yaml: " + id + ": " + e.getMessage(), e);
            }
        });
        return permissions;
    }

    /** An SQS event source: the queue's logical id and the batch size. */
    public record SqsSource(String name, String queue, int batchSize) {}

    /**
     * @param sqsSources the queues whose messages invoke the function
     * @param schedules the function's Schedule events (their expressions, e.g. rate(1 minute))
     * @param logGroup the log group it writes to ({@code LoggingConfig.LogGroup}), or Lambda's default
     *     {@code /aws/lambda/{name}}
     * @param onFailureQueue the SQS queue (logical id) its failed asynchronous invocations go to, or null
     */
    public record FunctionSpec(
            String logicalId,
            String handler,
            Map<String, String> environment,
            List<SqsSource> sqsSources,
            List<String> schedules,
            String logGroup,
            String onFailureQueue) {}

    /** An SQS queue; {@code maxReceiveCount} from its redrive policy (0 when it has none). */
    public record QueueSpec(String logicalId, int maxReceiveCount, int visibilityTimeout) {}

    /** An {@code AWS::IoT::Policy}: its name and document, resolved as CloudFormation would for this stack. */
    public record IotPolicySpec(String logicalId, String policyName, Object document) {}

    /**
     * The template's IoT policies, every intrinsic resolved as for the rest of the template: this
     * stack's parameters and the local deployment's pseudo parameters ({@code AWS::StackName},
     * {@code AWS::Region}, ...).
     */
    public List<IotPolicySpec> iotPolicies() {
        List<IotPolicySpec> policies = new ArrayList<>();
        resources("AWS::IoT::Policy").forEach((id, props) -> {
            Object name = props.get("PolicyName");
            try {
                policies.add(new IotPolicySpec(
                        id,
                        name == null ? id : String.valueOf(intrinsics.resolve(name)),
                        intrinsics.resolve(props.get("PolicyDocument"))));
            } catch (Intrinsics.UnresolvableException e) {
                throw new IllegalStateException("template.yaml: " + id + ": " + e.getMessage(), e);
            }
        });
        return policies;
    }

    /** A resource's property, resolved as CloudFormation would, e.g. {@code ("DownloadPublicKey", "PublicKeyConfig", "EncodedKey")}. */
    public Object resolvedProperty(String logicalId, String... path) {
        Object value = map(map(map(root.get("Resources")).get(logicalId)).get("Properties"));
        for (String step : path) {
            value = map(value).get(step);
        }
        try {
            return intrinsics.resolve(value);
        } catch (Intrinsics.UnresolvableException e) {
            throw new IllegalStateException("template.yaml: " + logicalId + ": " + e.getMessage(), e);
        }
    }

    public String parameter(String name) {
        return parameters.get(name);
    }

    public List<FunctionSpec> functions() {
        Map<String, Object> globalEnv =
                map(map(map(map(root.get("Globals")).get("Function")).get("Environment"))
                        .get("Variables"));
        List<FunctionSpec> functions = new ArrayList<>();
        resources("AWS::Serverless::Function").forEach((id, props) -> {
            Map<String, String> env = new LinkedHashMap<>();
            globalEnv.forEach((k, v) -> env.put(k, resolve(v)));
            map(map(props.get("Environment")).get("Variables")).forEach((k, v) -> env.put(k, resolve(v)));
            List<SqsSource> queues = new ArrayList<>();
            List<String> schedules = new ArrayList<>();
            map(props.get("Events")).forEach((eventName, event) -> {
                Map<String, Object> e = map(event);
                Map<String, Object> p = map(e.get("Properties"));
                if ("IoTRule".equals(e.get("Type"))) {
                    // SAM generates the rule's name and adds no error action; the stack runs
                    // AWS::IoT::TopicRule resources only, so an IoTRule event would silently never fire.
                    throw new IllegalStateException(
                            "template.yaml: " + id + "." + eventName
                                    + ": declare the rule as an AWS::IoT::TopicRule (fixed name, ErrorAction), not an IoTRule event");
                } else if ("SQS".equals(e.get("Type"))) {
                    Object batch = p.get("BatchSize");
                    queues.add(new SqsSource(
                            eventName,
                            logicalIdOf(p.get("Queue")),
                            batch == null ? 10 : Integer.parseInt(String.valueOf(batch))));
                } else if ("Schedule".equals(e.get("Type")) || "ScheduleV2".equals(e.get("Type"))) {
                    schedules.add(resolve(p.containsKey("Schedule") ? p.get("Schedule") : p.get("ScheduleExpression")));
                }
            });
            Object logGroup = map(props.get("LoggingConfig")).get("LogGroup");
            String logGroupName = logGroup != null ? resolve(logGroup) : "/aws/lambda/" + physicalName(id);
            Map<String, Object> onFailure =
                    map(map(map(props.get("EventInvokeConfig")).get("DestinationConfig"))
                            .get("OnFailure"));
            String onFailureQueue =
                    "SQS".equals(onFailure.get("Type")) ? logicalIdOf(onFailure.get("Destination")) : null;
            functions.add(new FunctionSpec(
                    id, resolve(props.get("Handler")), env, queues, schedules, logGroupName, onFailureQueue));
        });
        return functions;
    }

    public List<QueueSpec> queues() {
        List<QueueSpec> queues = new ArrayList<>();
        resources("AWS::SQS::Queue").forEach((id, props) -> {
            Object receives = map(props.get("RedrivePolicy")).get("maxReceiveCount");
            Object visibility = props.get("VisibilityTimeout");
            queues.add(new QueueSpec(
                    id,
                    receives == null ? 0 : Integer.parseInt(String.valueOf(receives)),
                    visibility == null ? 30 : Integer.parseInt(String.valueOf(visibility))));
        });
        return queues;
    }

    /** The logical id a {@code !GetAtt X.Arn} / {@code !Ref X} names. */
    private static String logicalIdOf(Object value) {
        if (value instanceof Intrinsic intrinsic) {
            Object arg = intrinsic.argument();
            if (arg instanceof List<?> list && !list.isEmpty()) {
                return String.valueOf(list.get(0));
            }
            String text = String.valueOf(arg);
            return text.contains(".") ? text.substring(0, text.indexOf('.')) : text;
        }
        return String.valueOf(value);
    }

    /**
     * An {@code HttpApi} event of a function: the route API Gateway serves and the function it invokes.
     *
     * @param iamAuth whether the route needs a SigV4-signed request (the API's DefaultAuthorizer is
     *     AWS_IAM and the event does not override it with NONE)
     */
    public record HttpRoute(
            String functionLogicalId,
            String eventName,
            String apiLogicalId,
            String method,
            String path,
            boolean iamAuth) {
        public String routeKey() {
            return method + " " + path;
        }
    }

    /** Every HttpApi event of every function, in template order. */
    public List<HttpRoute> httpApiRoutes() {
        List<HttpRoute> routes = new ArrayList<>();
        Map<String, Map<String, Object>> apis = resources("AWS::Serverless::HttpApi");
        resources("AWS::Serverless::Function")
                .forEach((id, props) -> map(props.get("Events")).forEach((eventName, event) -> {
                    Map<String, Object> e = map(event);
                    if (!"HttpApi".equals(e.get("Type"))) {
                        return;
                    }
                    Map<String, Object> p = map(e.get("Properties"));
                    String api = p.get("ApiId") == null ? null : resolve(p.get("ApiId"));
                    Map<String, Object> auth = map(map(apis.get(api)).get("Auth"));
                    boolean iam = "AWS_IAM".equals(String.valueOf(auth.get("DefaultAuthorizer")));
                    Object override = map(p.get("Auth")).get("Authorizer");
                    if (override != null) {
                        iam = "AWS_IAM".equals(String.valueOf(override));
                    }
                    routes.add(new HttpRoute(
                            id,
                            eventName,
                            api,
                            String.valueOf(resolve(p.get("Method"))).toUpperCase(Locale.ROOT),
                            resolve(p.get("Path")),
                            iam));
                }));
        return routes;
    }

    /**
     * An S3 notification that invokes a function: which bucket (by name), which events
     * ({@code s3:ObjectCreated:*}), and the key prefix and suffix filters.
     */
    public record S3Trigger(
            String functionLogicalId,
            String functionArn,
            String bucket,
            List<String> events,
            String prefix,
            String suffix) {
        public boolean matches(String eventType, String key) {
            boolean typeMatches = events.stream()
                    .anyMatch(e -> e.endsWith("*")
                            ? eventType.startsWith(e.substring(0, e.length() - 1))
                            : e.equals(eventType));
            return typeMatches
                    && (prefix == null || key.startsWith(prefix))
                    && (suffix == null || key.endsWith(suffix));
        }
    }

    /**
     * The S3 notifications that invoke functions: the {@code LambdaConfigurations} of the buckets
     * the stack creates, and, for a bucket it does not own, the configuration its owner applies as
     * the output {@value #EXISTING_BUCKET_NOTIFICATION} says (when that output's condition holds) on the
     * bucket of the output {@code FirmwareBucketName}.
     * A function is named by its ARN or its alias's ({@code !Ref Function.Alias}).
     */
    public List<S3Trigger> s3Triggers() {
        List<S3Trigger> triggers = new ArrayList<>();
        resources("AWS::S3::Bucket").forEach((id, props) -> {
            String bucket = physicalName(id);
            for (Object config :
                    list(map(props.get("NotificationConfiguration")).get("LambdaConfigurations"))) {
                Map<String, Object> c = map(config);
                List<String> prefixSuffix = new ArrayList<>(List.of("", ""));
                for (Object rule : list(map(map(c.get("Filter")).get("S3Key")).get("Rules"))) {
                    filterRule(prefixSuffix, map(rule).get("Name"), map(rule).get("Value"));
                }
                triggers.add(trigger(id, bucket, List.of(resolve(c.get("Event"))), prefixSuffix, c.get("Function")));
            }
        });
        Map<String, Object> output = map(map(root.get("Outputs")).get(EXISTING_BUCKET_NOTIFICATION));
        Object condition = output.get("Condition");
        if (!output.isEmpty() && (condition == null || conditionHolds(EXISTING_BUCKET_NOTIFICATION, condition))) {
            // The owner puts it on the bucket the stack uses (output FirmwareBucketName).
            String bucket = resolve(
                    map(map(root.get("Outputs")).get("FirmwareBucketName")).get("Value"));
            JsonNode configuration;
            try {
                configuration = new ObjectMapper().readTree(resolve(output.get("Value")));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(
                        "template.yaml: output " + EXISTING_BUCKET_NOTIFICATION + " is not JSON: "
                                + e.getOriginalMessage(),
                        e);
            }
            for (JsonNode c : configuration.path("LambdaFunctionConfigurations")) {
                List<String> prefixSuffix = new ArrayList<>(List.of("", ""));
                for (JsonNode rule : c.path("Filter").path("Key").path("FilterRules")) {
                    filterRule(
                            prefixSuffix,
                            rule.path("Name").asText(),
                            rule.path("Value").asText());
                }
                List<String> events = new ArrayList<>();
                c.path("Events").forEach(e -> events.add(e.asText()));
                triggers.add(trigger(
                        EXISTING_BUCKET_NOTIFICATION,
                        bucket,
                        events,
                        prefixSuffix,
                        c.path("LambdaFunctionArn").asText()));
            }
        }
        return triggers;
    }

    /** The output that holds the notification configuration an existing bucket's owner applies. */
    public static final String EXISTING_BUCKET_NOTIFICATION = "ExistingBucketNotification";

    private void filterRule(List<String> prefixSuffix, Object name, Object value) {
        String n = String.valueOf(name).toLowerCase(Locale.ROOT);
        if (n.equals("prefix")) {
            prefixSuffix.set(0, resolve(value));
        } else if (n.equals("suffix")) {
            prefixSuffix.set(1, resolve(value));
        }
    }

    private S3Trigger trigger(
            String where, String bucket, List<String> events, List<String> prefixSuffix, Object function) {
        String arn = resolve(function);
        String functionId = null;
        for (String id : resources("AWS::Serverless::Function").keySet()) {
            String unqualified = intrinsics.arn(id);
            if (arn != null && (arn.equals(unqualified) || arn.startsWith(unqualified + ":"))) {
                functionId = id;
            }
        }
        if (functionId == null) {
            throw new IllegalStateException("template.yaml: " + where + ": an S3 notification to " + arn
                    + ", which is no function of the stack");
        }
        return new S3Trigger(
                functionId,
                arn,
                bucket,
                events,
                prefixSuffix.get(0).isEmpty() ? null : prefixSuffix.get(0),
                prefixSuffix.get(1).isEmpty() ? null : prefixSuffix.get(1));
    }

    /** The DynamoDB tables, each named by its logical id. */
    public List<CloudFormationTables.Table> tables() {
        return CloudFormationTables.declaredIn(root, overrides);
    }

    /** The resources of one type that the deployment creates: those without a Condition, or whose Condition holds. */
    private Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((id, resource) -> {
            Object condition = map(resource).get("Condition");
            if (type.equals(map(resource).get("Type")) && (condition == null || conditionHolds(id, condition))) {
                found.put(id, map(map(resource).get("Properties")));
            }
        });
        return found;
    }

    private boolean conditionHolds(String logicalId, Object condition) {
        try {
            return intrinsics.condition(String.valueOf(condition));
        } catch (Intrinsics.UnresolvableException e) {
            throw new IllegalStateException("template.yaml: " + logicalId + ".Condition: " + e.getMessage(), e);
        }
    }

    /** Resolves a value for the functions' settings; what the local deployment cannot resolve gives null. */
    String resolve(Object value) {
        if (value == null) {
            return null;
        }
        try {
            Object resolved = intrinsics.resolve(value);
            return resolved instanceof Map<?, ?> || resolved instanceof List<?> ? null : String.valueOf(resolved);
        } catch (Intrinsics.UnresolvableException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }
}
