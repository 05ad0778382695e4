package dev.ota.local.iam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An identity policy document (a role's inline policy), read from its JSON-like form: maps, lists,
 * strings, booleans and numbers, as template.yaml gives it once its intrinsics are resolved.
 *
 * <p>What the local evaluator does not understand is refused here, when the stack starts, instead
 * of being evaluated wrongly later: {@code Principal} (not an identity policy), policy variables
 * ({@code ${aws:username}}), unknown statement elements, and condition operators other than the
 * string, ARN, numeric, {@code Bool} and {@code Null} families.
 *
 * @param name the policy's name ({@code PolicyName}), used in messages
 */
public record Policy(String name, List<Statement> statements) {

    public enum Effect {
        ALLOW,
        DENY
    }

    /**
     * One statement. Exactly one of Action/NotAction and one of Resource/NotResource.
     *
     * @param actions     the Action (or NotAction) patterns
     * @param resources   the Resource (or NotResource) patterns
     * @param conditions  all must hold for the statement to apply
     */
    public record Statement(
            String sid,
            Effect effect,
            List<String> actions,
            boolean notAction,
            List<String> resources,
            boolean notResource,
            List<Condition> conditions) {

        public Statement {
            actions = List.copyOf(actions);
            resources = List.copyOf(resources);
            conditions = List.copyOf(conditions);
        }

        /** The Sid, or "#n" (its position) when it has none. */
        public String label(int index) {
            return sid != null ? sid : "#" + (index + 1);
        }
    }

    /**
     * One condition: {@code "StringLike": {"s3:prefix": ["firmware/*"]}}.
     *
     * @param operator the full operator as written, e.g. {@code ForAnyValue:StringLikeIfExists}
     * @param key      the context key, lowercased (condition keys ignore case)
     */
    public record Condition(String operator, String key, List<String> values) {

        /** Operators the local evaluator implements, without their IfExists suffix and set prefix (lowercase). */
        static final Set<String> OPERATORS = Set.of(
                "stringequals",
                "stringnotequals",
                "stringequalsignorecase",
                "stringnotequalsignorecase",
                "stringlike",
                "stringnotlike",
                "arnequals",
                "arnnotequals",
                "arnlike",
                "arnnotlike",
                "numericequals",
                "numericnotequals",
                "numericlessthan",
                "numericlessthanequals",
                "numericgreaterthan",
                "numericgreaterthanequals",
                "bool",
                "null");

        public Condition {
            values = List.copyOf(values);
        }

        /** {@code ForAnyValue}, {@code ForAllValues}, or null. */
        String setOperator() {
            int colon = operator.indexOf(':');
            return colon < 0 ? null : operator.substring(0, colon);
        }

        boolean ifExists() {
            return operator.toLowerCase(Locale.ROOT).endsWith("ifexists")
                    && !baseWithSuffix().equals("null");
        }

        /** The base operator, lowercase, without set prefix and IfExists suffix. */
        String base() {
            String b = baseWithSuffix();
            return ifExists() ? b.substring(0, b.length() - "ifexists".length()) : b;
        }

        private String baseWithSuffix() {
            int colon = operator.indexOf(':');
            return (colon < 0 ? operator : operator.substring(colon + 1)).toLowerCase(Locale.ROOT);
        }
    }

    public Policy {
        statements = List.copyOf(statements);
    }

    /** Thrown for a document the local evaluator cannot evaluate faithfully. */
    public static final class UnsupportedPolicyException extends RuntimeException {
        public UnsupportedPolicyException(String message) {
            super(message);
        }
    }

    private static final Set<String> STATEMENT_ELEMENTS =
            Set.of("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition");

    /** Reads a policy document ({@code {"Version": ..., "Statement": [...]}}). */
    public static Policy parse(String name, Object document) {
        Map<String, Object> doc = map(document, name + ": the policy document");
        for (String key : doc.keySet()) {
            if (!key.equals("Version") && !key.equals("Statement") && !key.equals("Id")) {
                throw unsupported(name, "unknown policy element " + key);
            }
        }
        Object version = doc.get("Version");
        if (version != null
                && !"2012-10-17".equals(String.valueOf(version))
                && !"2008-10-17".equals(String.valueOf(version))) {
            throw unsupported(name, "unknown Version " + version);
        }
        Object statement = doc.get("Statement");
        List<Object> raw = statement instanceof List<?> l
                ? new ArrayList<>(l)
                : statement == null ? List.of() : List.of(statement);
        List<Statement> statements = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            statements.add(statement(name, i, map(raw.get(i), name + " statement " + (i + 1))));
        }
        return new Policy(name, statements);
    }

    private static Statement statement(String policy, int index, Map<String, Object> s) {
        String where = policy + " statement " + (s.get("Sid") != null ? s.get("Sid") : "#" + (index + 1));
        for (String key : s.keySet()) {
            if (key.equals("Principal") || key.equals("NotPrincipal")) {
                throw unsupported(where, key + " has no place in an identity policy");
            }
            if (!STATEMENT_ELEMENTS.contains(key)) {
                throw unsupported(where, "unknown statement element " + key);
            }
        }
        Effect effect = switch (String.valueOf(s.get("Effect"))) {
            case "Allow" -> Effect.ALLOW;
            case "Deny" -> Effect.DENY;
            default -> throw unsupported(where, "Effect must be Allow or Deny, not " + s.get("Effect"));
        };
        if (s.containsKey("Action") == s.containsKey("NotAction")) {
            throw unsupported(where, "needs exactly one of Action and NotAction");
        }
        if (s.containsKey("Resource") == s.containsKey("NotResource")) {
            throw unsupported(where, "needs exactly one of Resource and NotResource");
        }
        boolean notAction = s.containsKey("NotAction");
        boolean notResource = s.containsKey("NotResource");
        List<String> actions = strings(s.get(notAction ? "NotAction" : "Action"), where);
        List<String> resources = strings(s.get(notResource ? "NotResource" : "Resource"), where);
        if (actions.isEmpty() || resources.isEmpty()) {
            throw unsupported(where, "an empty Action or Resource list");
        }
        for (String action : actions) {
            if (!action.equals("*") && !action.contains(":")) {
                throw unsupported(where, "action '" + action + "' has no service prefix");
            }
        }
        List<Condition> conditions = new ArrayList<>();
        map(s.get("Condition") == null ? Map.of() : s.get("Condition"), where + " Condition")
                .forEach((operator, block) -> {
                    Condition probe = new Condition(operator, "", List.of());
                    String set = probe.setOperator();
                    if (set != null && !set.equals("ForAnyValue") && !set.equals("ForAllValues")) {
                        throw unsupported(where, "unknown set operator " + set);
                    }
                    if (!Condition.OPERATORS.contains(probe.base())) {
                        throw unsupported(where, "condition operator " + operator + " is not evaluated locally");
                    }
                    map(block, where + " " + operator)
                            .forEach((key, values) -> conditions.add(
                                    new Condition(operator, key.toLowerCase(Locale.ROOT), strings(values, where))));
                });
        return new Statement(
                s.get("Sid") == null ? null : String.valueOf(s.get("Sid")),
                effect,
                actions,
                notAction,
                resources,
                notResource,
                conditions);
    }

    private static List<String> strings(Object value, String where) {
        List<Object> raw = value instanceof List<?> l ? new ArrayList<>(l) : List.of(value);
        List<String> out = new ArrayList<>();
        for (Object o : raw) {
            if (o instanceof Map<?, ?> || o instanceof List<?> || o == null) {
                throw unsupported(where, "expected a string, got " + o);
            }
            String text = String.valueOf(o);
            if (text.contains("${")) {
                throw unsupported(
                        where, "policy variable in '" + text + "' (policy variables are not evaluated locally)");
            }
            out.add(text);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String where) {
        if (value instanceof Map<?, ?> m) {
            return new LinkedHashMap<>((Map<String, Object>) m);
        }
        throw unsupported(where, "expected an object, got " + value);
    }

    private static UnsupportedPolicyException unsupported(String where, String what) {
        return new UnsupportedPolicyException(where + ": " + what);
    }
}
