package dev.ota.local.template;

import dev.ota.local.standin.CloudFormationYaml.Intrinsic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CloudFormation's intrinsic functions, resolved as the local deployment ({@link LocalDeployment})
 * would resolve them: {@code Ref} (parameters, pseudo parameters, resources), {@code GetAtt X.Arn},
 * {@code Sub} (both forms, {@code ${X.Arn}}, {@code ${!Literal}}), {@code Select}, {@code Split},
 * {@code Join}, {@code If} with the template's {@code Conditions} ({@code Equals}, {@code Not},
 * {@code And}, {@code Or}, {@code Condition}), and {@code AWS::NoValue}, which removes the list
 * item or map entry it stands in.
 *
 * <p>Strict: anything it cannot resolve faithfully (another function, an attribute other than
 * {@code Arn}, a parameter without a value) throws {@link UnresolvableException} naming it.
 *
 * <p>Local physical names: a table, a queue and anything without a naming property is named by its
 * logical id (the local stack creates them so); a bucket, a log group, a role or a function takes its
 * naming property when the template gives one, else {@code {stack}-{logicalId}} for roles and
 * functions, as CloudFormation would (without its random suffix).
 */
final class Intrinsics {

    /** Thrown for what the local deployment cannot resolve. */
    static final class UnresolvableException extends RuntimeException {
        UnresolvableException(String message) {
            super(message);
        }
    }

    /** What {@code !Ref AWS::NoValue} resolves to until its list item or map entry is dropped. */
    static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "AWS::NoValue";
        }
    };

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(!?)([^}]+)}");

    private final Map<String, Object> resources;
    private final Map<String, Object> globalFunction;
    private final Map<String, Object> conditions;
    private final Map<String, String> parameters;
    private final LocalDeployment deployment;
    private final Map<String, Boolean> conditionValues = new LinkedHashMap<>();

    Intrinsics(Map<String, Object> root, Map<String, String> parameters, LocalDeployment deployment) {
        this.resources = SamTemplate.map(root.get("Resources"));
        this.globalFunction =
                SamTemplate.map(SamTemplate.map(root.get("Globals")).get("Function"));
        this.conditions = SamTemplate.map(root.get("Conditions"));
        this.parameters = parameters;
        this.deployment = deployment;
    }

    /** The value with every intrinsic resolved: strings, numbers, booleans, lists and maps. */
    Object resolve(Object value) {
        Object resolved = resolveOrNoValue(value);
        if (resolved == NO_VALUE) {
            throw new UnresolvableException("AWS::NoValue where a value is required");
        }
        return resolved;
    }

    private Object resolveOrNoValue(Object value) {
        if (value instanceof Intrinsic intrinsic) {
            return apply(intrinsic.function(), intrinsic.argument());
        }
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1) {
                String key = String.valueOf(map.keySet().iterator().next());
                if (key.equals("Ref") || key.startsWith("Fn::")) {
                    return apply(
                            key.equals("Ref") ? "Ref" : key.substring(4),
                            map.values().iterator().next());
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                Object r = resolveOrNoValue(v);
                if (r != NO_VALUE) {
                    out.put(String.valueOf(k), r);
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                Object r = resolveOrNoValue(item);
                if (r != NO_VALUE) {
                    out.add(r);
                }
            }
            return out;
        }
        return value;
    }

    private Object apply(String function, Object argument) {
        return switch (function) {
            case "Ref" -> ref(text(resolve(argument)));
            case "GetAtt" -> getAtt(argument);
            case "Sub" -> sub(argument);
            case "Select" -> select(argument);
            case "Split" -> split(argument);
            case "Join" -> join(argument);
            case "If" -> ifFunction(argument);
            default -> throw new UnresolvableException("Fn::" + function + " is not resolved locally");
        };
    }

    /** A parameter's value, a pseudo parameter, or a resource's local physical name. */
    Object ref(String name) {
        switch (name) {
            case "AWS::AccountId":
                return deployment.accountId();
            case "AWS::Region":
                return deployment.region();
            case "AWS::Partition":
                return deployment.partition();
            case "AWS::StackId":
                return deployment.stackId();
            case "AWS::StackName":
                return deployment.stackName();
            case "AWS::URLSuffix":
                return deployment.urlSuffix();
            case "AWS::NoValue":
                return NO_VALUE;
            default:
                break;
        }
        if (parameters.containsKey(name)) {
            String value = parameters.get(name);
            if (value == null) {
                throw new UnresolvableException("parameter " + name + " has no value (no Default, no override)");
            }
            return value;
        }
        if (resources.containsKey(name)) {
            return physicalName(name);
        }
        if (name.endsWith(".Alias") && resources.containsKey(name.substring(0, name.length() - ".Alias".length()))) {
            return aliasArn(name.substring(0, name.length() - ".Alias".length()));
        }
        throw new UnresolvableException("Ref " + name + ": no such parameter or resource");
    }

    /** What {@code !GetAtt <Distribution>.DomainName} resolves to before the stand-in is known. */
    public static final String CLOUDFRONT_DOMAIN_SUFFIX = ".cloudfront.local";

    /** SAM's {@code !Ref Function.Alias}: the ARN of the alias its {@code AutoPublishAlias} names. */
    String aliasArn(String functionLogicalId) {
        Map<String, Object> props = SamTemplate.map(
                SamTemplate.map(resources.get(functionLogicalId)).get("Properties"));
        Object alias = props.containsKey("AutoPublishAlias")
                ? props.get("AutoPublishAlias")
                : globalFunction.get("AutoPublishAlias");
        if (alias == null) {
            throw new UnresolvableException(
                    "Ref " + functionLogicalId + ".Alias: the function has no AutoPublishAlias");
        }
        return arn(functionLogicalId) + ":" + text(resolve(alias));
    }

    String physicalName(String logicalId) {
        Map<String, Object> resource = SamTemplate.map(resources.get(logicalId));
        if (resource.isEmpty()) {
            throw new UnresolvableException("no resource " + logicalId);
        }
        Map<String, Object> props = SamTemplate.map(resource.get("Properties"));
        String type = String.valueOf(resource.get("Type"));
        return switch (type) {
            case "AWS::S3::Bucket" ->
                props.containsKey("BucketName")
                        ? text(resolve(props.get("BucketName")))
                        : logicalId.toLowerCase(Locale.ROOT);
            case "AWS::Logs::LogGroup" ->
                props.containsKey("LogGroupName")
                        ? text(resolve(props.get("LogGroupName")))
                        : deployment.stackName() + "-" + logicalId;
            case "AWS::IAM::Role" ->
                props.containsKey("RoleName")
                        ? text(resolve(props.get("RoleName")))
                        : deployment.stackName() + "-" + logicalId;
            case "AWS::Serverless::Function", "AWS::Lambda::Function" ->
                props.containsKey("FunctionName")
                        ? text(resolve(props.get("FunctionName")))
                        : deployment.stackName() + "-" + logicalId;
            case "AWS::IoT::TopicRule" ->
                props.containsKey("RuleName") ? text(resolve(props.get("RuleName"))) : logicalId;
            default -> logicalId;
        };
    }

    /** {@code X.Arn} of the resources whose ARN the local deployment knows. */
    String arn(String logicalId) {
        Map<String, Object> resource = SamTemplate.map(resources.get(logicalId));
        String type = String.valueOf(resource.get("Type"));
        String name = physicalName(logicalId);
        String p = deployment.partition();
        String r = deployment.region();
        String a = deployment.accountId();
        return switch (type) {
            case "AWS::DynamoDB::Table" -> "arn:" + p + ":dynamodb:" + r + ":" + a + ":table/" + name;
            case "AWS::SQS::Queue" -> "arn:" + p + ":sqs:" + r + ":" + a + ":" + name;
            case "AWS::S3::Bucket" -> "arn:" + p + ":s3:::" + name;
            case "AWS::Logs::LogGroup" -> "arn:" + p + ":logs:" + r + ":" + a + ":log-group:" + name + ":*";
            case "AWS::IAM::Role" -> "arn:" + p + ":iam::" + a + ":role/" + name;
            case "AWS::Serverless::Function", "AWS::Lambda::Function" ->
                "arn:" + p + ":lambda:" + r + ":" + a + ":function:" + name;
            case "AWS::IoT::TopicRule" -> "arn:" + p + ":iot:" + r + ":" + a + ":rule/" + name;
            default ->
                throw new UnresolvableException(
                        "GetAtt " + logicalId + ".Arn: the local deployment has no ARN for a " + type);
        };
    }

    private Object getAtt(Object argument) {
        String logicalId;
        String attribute;
        Object resolved = argument instanceof String s ? s : resolve(argument);
        if (resolved instanceof List<?> list && list.size() == 2) {
            logicalId = text(list.get(0));
            attribute = text(list.get(1));
        } else {
            String text = text(resolved);
            int dot = text.indexOf('.');
            if (dot < 0) {
                throw new UnresolvableException("GetAtt " + text + ": expected Resource.Attribute");
            }
            logicalId = text.substring(0, dot);
            attribute = text.substring(dot + 1);
        }
        if (!resources.containsKey(logicalId)) {
            throw new UnresolvableException("GetAtt " + logicalId + "." + attribute + ": no such resource");
        }
        Map<String, Object> resource = SamTemplate.map(resources.get(logicalId));
        if (attribute.equals("Value") && "AWS::SSM::Parameter".equals(resource.get("Type"))) {
            // A parameter's value is what the template sets it to.
            return resolve(SamTemplate.map(resource.get("Properties")).get("Value"));
        }
        String type = String.valueOf(resource.get("Type"));
        if (attribute.equals("DomainName") && type.equals("AWS::CloudFront::Distribution")) {
            // The local stack serves the distribution from its CloudFront stand-in and puts that
            // stand-in's address where this name is used (LocalStack).
            return logicalId.toLowerCase(Locale.ROOT) + CLOUDFRONT_DOMAIN_SUFFIX;
        }
        if (attribute.equals("Id") && type.startsWith("AWS::CloudFront::")) {
            return logicalId;
        }
        if (!attribute.equals("Arn")) {
            throw new UnresolvableException("GetAtt " + logicalId + "." + attribute
                    + ": only Arn (and an SSM parameter's Value) is resolved locally");
        }
        return arn(logicalId);
    }

    private Object sub(Object argument) {
        String template;
        Map<String, Object> variables = new LinkedHashMap<>();
        if (argument instanceof List<?> list && list.size() == 2) {
            template = text(list.get(0));
            SamTemplate.map(list.get(1)).forEach((k, v) -> variables.put(k, resolve(v)));
        } else {
            template = text(argument);
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (!m.group(1).isEmpty()) {
                replacement = "${" + m.group(2) + "}";
            } else if (variables.containsKey(m.group(2))) {
                replacement = text(variables.get(m.group(2)));
            } else if (m.group(2).contains(".") && !m.group(2).startsWith("AWS::")) {
                replacement = text(getAtt(m.group(2)));
            } else {
                replacement = text(ref(m.group(2)));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Object select(Object argument) {
        List<?> args = list(resolve(argument), "Select");
        int index = Integer.parseInt(text(args.get(0)));
        List<?> from = list(args.get(1), "Select");
        if (index < 0 || index >= from.size()) {
            throw new UnresolvableException("Select " + index + " of " + from.size() + " items");
        }
        return from.get(index);
    }

    private Object split(Object argument) {
        List<?> args = list(resolve(argument), "Split");
        String delimiter = text(args.get(0));
        return List.of(text(args.get(1)).split(Pattern.quote(delimiter), -1));
    }

    private Object join(Object argument) {
        List<?> args = list(resolve(argument), "Join");
        List<String> parts = new ArrayList<>();
        list(args.get(1), "Join").forEach(p -> parts.add(text(p)));
        return String.join(text(args.get(0)), parts);
    }

    private Object ifFunction(Object argument) {
        List<?> args = list(argument, "If");
        if (args.size() != 3) {
            throw new UnresolvableException("Fn::If needs [condition, then, else]");
        }
        return resolveOrNoValue(condition(text(args.get(0))) ? args.get(1) : args.get(2));
    }

    /** A named condition of the template's Conditions section. */
    boolean condition(String name) {
        Boolean known = conditionValues.get(name);
        if (known != null) {
            return known;
        }
        if (!conditions.containsKey(name)) {
            throw new UnresolvableException("no condition " + name);
        }
        boolean value = truth(conditions.get(name));
        conditionValues.put(name, value);
        return value;
    }

    private boolean truth(Object expression) {
        if (expression instanceof Intrinsic intrinsic) {
            Object arg = intrinsic.argument();
            return switch (intrinsic.function()) {
                case "Equals" -> {
                    List<?> pair = list(arg, "Equals");
                    yield text(resolve(pair.get(0))).equals(text(resolve(pair.get(1))));
                }
                case "Not" -> !truth(list(arg, "Not").get(0));
                case "And" -> list(arg, "And").stream().allMatch(this::truth);
                case "Or" -> list(arg, "Or").stream().anyMatch(this::truth);
                case "Condition" -> condition(text(arg));
                default -> throw new UnresolvableException("Fn::" + intrinsic.function() + " in a condition");
            };
        }
        if (expression instanceof Map<?, ?> map && map.size() == 1) {
            String key = String.valueOf(map.keySet().iterator().next());
            Object arg = map.values().iterator().next();
            if (key.equals("Condition")) {
                return condition(text(arg));
            }
            if (key.startsWith("Fn::")) {
                return truth(new Intrinsic(key.substring(4), arg));
            }
        }
        throw new UnresolvableException("not a condition: " + expression);
    }

    private static List<?> list(Object value, String function) {
        if (value instanceof List<?> l) {
            return l;
        }
        throw new UnresolvableException("Fn::" + function + ": expected a list, got " + value);
    }

    private static String text(Object value) {
        if (value == null || value == NO_VALUE || value instanceof Map<?, ?> || value instanceof List<?>) {
            throw new UnresolvableException("expected a string, got " + value);
        }
        return String.valueOf(value);
    }
}
