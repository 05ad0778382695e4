package dev.ota.local.template;

import java.util.Locale;
import dev.ota.local.standin.CloudFormationTables;
import dev.ota.local.standin.CloudFormationYaml;
import dev.ota.local.standin.CloudFormationYaml.Intrinsic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * template.yaml as the local stack reads it: the functions (handler, environment, IoT rule SQL)
 * and the DynamoDB tables. Reading the deployed template, rather than a copy of its facts, is what
 * keeps the local stack from drifting from AWS.
 *
 * <p>Intrinsics are resolved as far as local use needs: {@code !Ref} of a parameter gives its
 * value, of a resource its logical id (local table names are logical ids); {@code !Sub} of a
 * string substitutes both. Anything else resolves to null, and the local stack overrides it.
 * The YAML itself is read by {@link CloudFormationYaml}, the tables by {@link CloudFormationTables}.
 */
public final class SamTemplate {

    private final Map<String, Object> root;
    private final Map<String, String> overrides;
    private final Map<String, String> parameters = new LinkedHashMap<>();

    private SamTemplate(Map<String, Object> root, Map<String, String> overrides) {
        this.root = root;
        this.overrides = Map.copyOf(overrides);
        map(root.get("Parameters")).forEach((name, spec) -> {
            Object fallback = map(spec).get("Default");
            parameters.put(name, fallback == null ? null : String.valueOf(fallback));
        });
        parameters.putAll(overrides);
    }

    public static SamTemplate load(Path file, Map<String, String> parameterOverrides) {
        return new SamTemplate(CloudFormationYaml.load(file), parameterOverrides);
    }

    public record IotRule(String name, String sql, String sqlVersion) {}

    /** An SQS event source: the queue's logical id and the batch size. */
    public record SqsSource(String name, String queue, int batchSize) {}

    /**
     * @param sqsSources the queues whose messages invoke the function
     * @param schedules the function's Schedule events (their expressions, e.g. rate(1 minute))
     */
    public record FunctionSpec(String logicalId, String handler, Map<String, String> environment, List<IotRule> iotRules,
                               List<SqsSource> sqsSources, List<String> schedules) {}

    /** An SQS queue; {@code maxReceiveCount} from its redrive policy (0 when it has none). */
    public record QueueSpec(String logicalId, int maxReceiveCount, int visibilityTimeout) {}

    /** An {@code AWS::IoT::Policy}: its name and document, resolved as CloudFormation would for this stack. */
    public record IotPolicySpec(String logicalId, String policyName, Object document) {}

    /**
     * The template's IoT policies, every intrinsic resolved with this stack's parameters and the
     * given pseudo parameters ({@code AWS::Region}, {@code AWS::AccountId}, {@code AWS::Partition},
     * {@code AWS::StackName}).
     */
    public List<IotPolicySpec> iotPolicies(Map<String, String> pseudoParameters) {
        Map<String, String> values = new LinkedHashMap<>(pseudoParameters);
        values.putAll(parameters);
        Intrinsics intrinsics = new Intrinsics(values);
        List<IotPolicySpec> policies = new ArrayList<>();
        map(root.get("Resources")).forEach((id, resource) -> {
            Map<String, Object> r = map(resource);
            if ("AWS::IoT::Policy".equals(r.get("Type"))) {
                Map<String, Object> props = map(r.get("Properties"));
                Object name = props.get("PolicyName");
                policies.add(new IotPolicySpec(id, name == null ? id : String.valueOf(intrinsics.resolve(name)),
                        intrinsics.resolve(props.get("PolicyDocument"))));
            }
        });
        return policies;
    }

    public String parameter(String name) {
        return parameters.get(name);
    }

    public List<FunctionSpec> functions() {
        Map<String, Object> globalEnv = map(map(map(map(root.get("Globals")).get("Function")).get("Environment")).get("Variables"));
        List<FunctionSpec> functions = new ArrayList<>();
        resources("AWS::Serverless::Function").forEach((id, props) -> {
            Map<String, String> env = new LinkedHashMap<>();
            globalEnv.forEach((k, v) -> env.put(k, resolve(v)));
            map(map(props.get("Environment")).get("Variables")).forEach((k, v) -> env.put(k, resolve(v)));
            List<IotRule> rules = new ArrayList<>();
            List<SqsSource> queues = new ArrayList<>();
            List<String> schedules = new ArrayList<>();
            map(props.get("Events")).forEach((eventName, event) -> {
                Map<String, Object> e = map(event);
                Map<String, Object> p = map(e.get("Properties"));
                if ("IoTRule".equals(e.get("Type"))) {
                    rules.add(new IotRule(eventName, resolve(p.get("Sql")), resolve(p.get("AwsIotSqlVersion"))));
                } else if ("SQS".equals(e.get("Type"))) {
                    Object batch = p.get("BatchSize");
                    queues.add(new SqsSource(eventName, logicalIdOf(p.get("Queue")), batch == null ? 10 : Integer.parseInt(String.valueOf(batch))));
                } else if ("Schedule".equals(e.get("Type")) || "ScheduleV2".equals(e.get("Type"))) {
                    schedules.add(resolve(p.containsKey("Schedule") ? p.get("Schedule") : p.get("ScheduleExpression")));
                }
            });
            functions.add(new FunctionSpec(id, resolve(props.get("Handler")), env, rules, queues, schedules));
        });
        return functions;
    }

    public List<QueueSpec> queues() {
        List<QueueSpec> queues = new ArrayList<>();
        resources("AWS::SQS::Queue").forEach((id, props) -> {
            Object receives = map(props.get("RedrivePolicy")).get("maxReceiveCount");
            Object visibility = props.get("VisibilityTimeout");
            queues.add(new QueueSpec(id, receives == null ? 0 : Integer.parseInt(String.valueOf(receives)),
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
    public record HttpRoute(String functionLogicalId, String eventName, String apiLogicalId, String method, String path, boolean iamAuth) {
        public String routeKey() {
            return method + " " + path;
        }
    }

    /** Every HttpApi event of every function, in template order. */
    public List<HttpRoute> httpApiRoutes() {
        List<HttpRoute> routes = new ArrayList<>();
        Map<String, Map<String, Object>> apis = resources("AWS::Serverless::HttpApi");
        resources("AWS::Serverless::Function").forEach((id, props) -> map(props.get("Events")).forEach((eventName, event) -> {
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
            routes.add(new HttpRoute(id, eventName, api, String.valueOf(resolve(p.get("Method"))).toUpperCase(Locale.ROOT),
                    resolve(p.get("Path")), iam));
        }));
        return routes;
    }

    /**
     * An {@code S3} event of a function: which bucket (its logical id), which events
     * ({@code s3:ObjectCreated:*}), and the key prefix and suffix filters.
     */
    public record S3Trigger(String functionLogicalId, String eventName, String bucketLogicalId, List<String> events, String prefix, String suffix) {
        public boolean matches(String eventType, String key) {
            boolean typeMatches = events.stream().anyMatch(e -> e.endsWith("*") ? eventType.startsWith(e.substring(0, e.length() - 1)) : e.equals(eventType));
            return typeMatches && (prefix == null || key.startsWith(prefix)) && (suffix == null || key.endsWith(suffix));
        }
    }

    public List<S3Trigger> s3Triggers() {
        List<S3Trigger> triggers = new ArrayList<>();
        resources("AWS::Serverless::Function").forEach((id, props) -> map(props.get("Events")).forEach((eventName, event) -> {
            Map<String, Object> e = map(event);
            if (!"S3".equals(e.get("Type"))) {
                return;
            }
            Map<String, Object> p = map(e.get("Properties"));
            List<String> events = new ArrayList<>();
            Object ev = p.get("Events");
            if (ev instanceof List<?> l) {
                l.forEach(x -> events.add(resolve(x)));
            } else if (ev != null) {
                events.add(resolve(ev));
            }
            String prefix = null;
            String suffix = null;
            for (Object rule : list(map(map(p.get("Filter")).get("S3Key")).get("Rules"))) {
                String name = String.valueOf(map(rule).get("Name")).toLowerCase(Locale.ROOT);
                String value = resolve(map(rule).get("Value"));
                if (name.equals("prefix")) {
                    prefix = value;
                } else if (name.equals("suffix")) {
                    suffix = value;
                }
            }
            triggers.add(new S3Trigger(id, eventName, resolve(p.get("Bucket")), events, prefix, suffix));
        }));
        return triggers;
    }

    /** The DynamoDB tables, each named by its logical id. */
    public List<CloudFormationTables.Table> tables() {
        return CloudFormationTables.declaredIn(root, overrides);
    }

    private Map<String, Map<String, Object>> resources(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((id, resource) -> {
            if (type.equals(map(resource).get("Type"))) {
                found.put(id, map(map(resource).get("Properties")));
            }
        });
        return found;
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9:._]+)}");

    /** Resolves a value as the local stack needs it; unresolvable intrinsics give null. */
    String resolve(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Intrinsic intrinsic) {
            return switch (intrinsic.function()) {
                case "Ref" -> parameters.containsKey(String.valueOf(intrinsic.argument()))
                        ? parameters.get(String.valueOf(intrinsic.argument()))
                        : String.valueOf(intrinsic.argument());
                case "Sub" -> intrinsic.argument() instanceof String s ? substitute(s) : null;
                default -> null;
            };
        }
        return String.valueOf(value);
    }

    private String substitute(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement = parameters.containsKey(name) ? parameters.get(name) : name;
            m.appendReplacement(out, Matcher.quoteReplacement(replacement == null ? "" : replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }
}
