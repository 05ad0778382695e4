package dev.ota.local.iot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An AWS IoT Core policy, evaluated as IoT Core evaluates it for one request: an explicit Deny
 * wins, else any Allow allows, else the request is denied.
 *
 * <ul>
 *   <li>{@code Action}: case-insensitive, {@code *} and {@code ?} wildcards.</li>
 *   <li>{@code Resource}: an ARN pattern with {@code *} and {@code ?} wildcards (MQTT's {@code +}
 *       and {@code #} are literal characters), after policy variables ({@code ${iot:ClientId}},
 *       {@code ${iot:Connection.Thing.ThingName}}, {@code ${iot:Connection.Thing.Attributes[x]}},
 *       {@code ${iot:Connection.Thing.IsAttached}}, ...) are replaced by the connection's values,
 *       which count as literal text. A resource with a variable the connection cannot resolve
 *       matches nothing.</li>
 *   <li>{@code Condition}: {@code Bool}, {@code StringEquals}, {@code StringNotEquals},
 *       {@code StringLike}, {@code ArnEquals}, {@code ArnLike} over those variables. Anything else
 *       (NotAction, NotResource, other operators) is refused when the policy is read, so the
 *       local stack never enforces a policy it only half understands.</li>
 * </ul>
 */
public final class IotPolicy {

    public enum Decision {
        ALLOW,
        EXPLICIT_DENY,
        IMPLICIT_DENY
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");
    private static final Set<String> OPERATORS =
            Set.of("Bool", "StringEquals", "StringNotEquals", "StringLike", "ArnEquals", "ArnLike");
    private static final Set<String> STATEMENT_KEYS = Set.of("Sid", "Effect", "Action", "Resource", "Condition");

    private record Condition(String operator, String key, List<String> values) {}

    private record Statement(boolean allow, List<String> actions, List<String> resources, List<Condition> conditions) {}

    private final String name;
    private final List<Statement> statements;

    private IotPolicy(String name, List<Statement> statements) {
        this.name = name;
        this.statements = statements;
    }

    public static IotPolicy parse(String name, String document, ObjectMapper json) {
        try {
            return parse(name, json.readTree(document));
        } catch (IOException e) {
            throw new UncheckedIOException("policy " + name + " is not JSON", e);
        }
    }

    public static IotPolicy parse(String name, JsonNode document) {
        List<Statement> statements = new ArrayList<>();
        JsonNode list = document.path("Statement");
        for (JsonNode s : list.isArray() ? list : List.of(list)) {
            s.fieldNames().forEachRemaining(field -> {
                if (!STATEMENT_KEYS.contains(field)) {
                    throw new UnsupportedOperationException(
                            "policy " + name + ": " + field + " is not evaluated by the local stack");
                }
            });
            String effect = s.path("Effect").asText();
            if (!effect.equals("Allow") && !effect.equals("Deny")) {
                throw new IllegalArgumentException(
                        "policy " + name + ": Effect must be Allow or Deny, not '" + effect + "'");
            }
            List<Condition> conditions = new ArrayList<>();
            s.path("Condition").fields().forEachRemaining(op -> {
                if (!OPERATORS.contains(op.getKey())) {
                    throw new UnsupportedOperationException("policy " + name + ": condition operator " + op.getKey()
                            + " is not evaluated by the local stack");
                }
                op.getValue()
                        .fields()
                        .forEachRemaining(
                                kv -> conditions.add(new Condition(op.getKey(), kv.getKey(), strings(kv.getValue()))));
            });
            statements.add(new Statement(
                    effect.equals("Allow"), strings(s.path("Action")), strings(s.path("Resource")), conditions));
        }
        return new IotPolicy(name, List.copyOf(statements));
    }

    public String name() {
        return name;
    }

    /**
     * @param variables the connection's policy variables, e.g. {@code iot:ClientId}; absent ones
     *                  are unresolvable
     */
    public Decision evaluate(String action, String resource, Map<String, String> variables) {
        boolean allowed = false;
        for (Statement s : statements) {
            if (s.actions().stream()
                    .noneMatch(a -> wildcard(a.toLowerCase(Locale.ROOT), action.toLowerCase(Locale.ROOT)))) {
                continue;
            }
            if (s.resources().stream().noneMatch(r -> resourceMatches(r, resource, variables))) {
                continue;
            }
            if (!s.conditions().stream().allMatch(c -> holds(c, variables))) {
                continue;
            }
            if (!s.allow()) {
                return Decision.EXPLICIT_DENY;
            }
            allowed = true;
        }
        return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
    }

    /** Several policies attached to one principal: a Deny in any wins, else an Allow in any. */
    public static Decision evaluate(
            List<IotPolicy> policies, String action, String resource, Map<String, String> variables) {
        boolean allowed = false;
        for (IotPolicy policy : policies) {
            Decision d = policy.evaluate(action, resource, variables);
            if (d == Decision.EXPLICIT_DENY) {
                return d;
            }
            allowed |= d == Decision.ALLOW;
        }
        return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
    }

    private static boolean resourceMatches(String pattern, String resource, Map<String, String> variables) {
        StringBuilder regex = new StringBuilder();
        Matcher m = VARIABLE.matcher(pattern);
        int last = 0;
        while (m.find()) {
            regex.append(wildcardRegex(pattern.substring(last, m.start())));
            String value = variables.get(m.group(1));
            if (value == null) {
                return false;
            }
            regex.append(Pattern.quote(value));
            last = m.end();
        }
        regex.append(wildcardRegex(pattern.substring(last)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL)
                .matcher(resource)
                .matches();
    }

    private static boolean holds(Condition c, Map<String, String> variables) {
        String actual = variables.get(c.key());
        if (actual == null) {
            return c.operator().equals("StringNotEquals");
        }
        return switch (c.operator()) {
            case "Bool" -> c.values().stream().anyMatch(v -> v.equalsIgnoreCase(actual));
            case "StringEquals", "ArnEquals" -> c.values().contains(actual);
            case "StringNotEquals" -> !c.values().contains(actual);
            case "StringLike", "ArnLike" -> c.values().stream().anyMatch(v -> wildcard(v, actual));
            default -> false;
        };
    }

    private static boolean wildcard(String pattern, String text) {
        return Pattern.compile(wildcardRegex(pattern), Pattern.DOTALL)
                .matcher(text)
                .matches();
    }

    private static String wildcardRegex(String pattern) {
        StringBuilder out = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    out.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                out.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            out.append(Pattern.quote(literal.toString()));
        }
        return out.toString();
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(node.asText());
        }
        return List.copyOf(out);
    }
}
