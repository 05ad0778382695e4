package dev.ota.local.iam;

import dev.ota.local.iam.Policy.Condition;
import dev.ota.local.iam.Policy.Effect;
import dev.ota.local.iam.Policy.Statement;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * IAM's evaluation of identity policies for one request, within one account: a statement applies
 * when its Action (or NotAction), its Resource (or NotResource) and all its conditions match; an
 * explicit Deny wins over any Allow; with no Allow the answer is the default (implicit) deny.
 *
 * <p>Actions match ignoring case, resource ARNs exactly (see {@link Arns}); condition keys ignore
 * case. Missing context keys follow IAM: a condition on an absent key is false, except for
 * {@code ...IfExists}, {@code ForAllValues:}, the negated operators ({@code StringNotEquals},
 * {@code ArnNotLike}, ...) and {@code Null: true}, which hold.
 *
 * <p>Out of scope, as this backend's roles use none of them: resource-based policies, permission
 * boundaries, session policies, SCPs, cross-account access, policy variables.
 */
public final class PolicyEvaluator {

    private PolicyEvaluator() {}

    /** The negated operators and the positive ones they negate. */
    private static final Map<String, String> NEGATED = Map.of(
            "stringnotequals", "stringequals",
            "stringnotequalsignorecase", "stringequalsignorecase",
            "stringnotlike", "stringlike",
            "arnnotequals", "arnequals",
            "arnnotlike", "arnlike",
            "numericnotequals", "numericequals");

    /**
     * One authorization question: may the principal do {@code action} on {@code resource}, with
     * these context keys?
     *
     * @param context condition keys (any case) to their values
     */
    public record Request(String action, String resource, Map<String, List<String>> context) {
        public Request {
            TreeMap<String, List<String>> keys = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            context.forEach((k, v) -> keys.put(k, List.copyOf(v)));
            context = keys;
        }

        public Request(String action, String resource) {
            this(action, resource, Map.of());
        }

        List<String> values(String key) {
            return context.get(key);
        }
    }

    public enum Outcome {
        ALLOWED,
        EXPLICIT_DENY,
        IMPLICIT_DENY
    }

    /**
     * @param policy    the deciding statement's policy (null for an implicit deny)
     * @param statement the deciding statement's Sid or position (null for an implicit deny)
     */
    public record Decision(Outcome outcome, String policy, String statement) {
        public boolean allowed() {
            return outcome == Outcome.ALLOWED;
        }
    }

    public static Decision evaluate(List<Policy> policies, Request request) {
        Decision allow = null;
        for (Policy policy : policies) {
            List<Statement> statements = policy.statements();
            for (int i = 0; i < statements.size(); i++) {
                Statement s = statements.get(i);
                if (!applies(s, request)) {
                    continue;
                }
                if (s.effect() == Effect.DENY) {
                    return new Decision(Outcome.EXPLICIT_DENY, policy.name(), s.label(i));
                }
                if (allow == null) {
                    allow = new Decision(Outcome.ALLOWED, policy.name(), s.label(i));
                }
            }
        }
        return allow != null ? allow : new Decision(Outcome.IMPLICIT_DENY, null, null);
    }

    static boolean applies(Statement s, Request request) {
        boolean actionListed = s.actions().stream().anyMatch(p -> Wildcards.matchesIgnoringCase(p, request.action()));
        if (actionListed == s.notAction()) {
            return false;
        }
        boolean resourceListed = s.resources().stream().anyMatch(p -> Arns.matches(p, request.resource()));
        if (resourceListed == s.notResource()) {
            return false;
        }
        return s.conditions().stream().allMatch(c -> holds(c, request.values(c.key())));
    }

    static boolean holds(Condition c, List<String> present) {
        String base = c.base();
        if (base.equals("null")) {
            boolean absent = present == null || present.isEmpty();
            return c.values().stream().anyMatch(v -> Boolean.parseBoolean(v) == absent);
        }
        boolean negated = NEGATED.containsKey(base);
        String set = c.setOperator();
        if (present == null || present.isEmpty()) {
            if ("ForAnyValue".equals(set)) {
                return false;
            }
            return c.ifExists() || "ForAllValues".equals(set) || negated;
        }
        if ("ForAnyValue".equals(set)) {
            return present.stream().anyMatch(v -> single(base, negated, v, c.values()));
        }
        if ("ForAllValues".equals(set)) {
            return present.stream().allMatch(v -> single(base, negated, v, c.values()));
        }
        // A single-valued key: its value against the policy's values.
        return present.stream().anyMatch(v -> single(base, negated, v, c.values()));
    }

    /** One request value against the condition's values: any match (positive operators) or none (negated ones). */
    private static boolean single(String base, boolean negated, String value, List<String> policyValues) {
        String positive = negated ? NEGATED.get(base) : base;
        boolean any = policyValues.stream().anyMatch(p -> compare(positive, value, p));
        return negated != any;
    }

    private static boolean compare(String op, String value, String policy) {
        return switch (op) {
            case "stringequals" -> value.equals(policy);
            case "stringequalsignorecase" -> value.equalsIgnoreCase(policy);
            case "stringlike" -> Wildcards.matches(policy, value);
            case "arnequals", "arnlike" -> Arns.matches(policy, value);
            case "bool" -> value.equalsIgnoreCase(policy);
            case "numericequals" -> numeric(value, policy) == 0;
            case "numericlessthan" -> numeric(value, policy) < 0;
            case "numericlessthanequals" -> numeric(value, policy) <= 0;
            case "numericgreaterthan" -> numeric(value, policy) > 0 && numeric(value, policy) != UNCOMPARABLE;
            case "numericgreaterthanequals" -> numeric(value, policy) >= 0 && numeric(value, policy) != UNCOMPARABLE;
            default -> throw new IllegalStateException("operator " + op + " is not evaluated locally");
        };
    }

    private static final int UNCOMPARABLE = Integer.MAX_VALUE;

    /** The sign of value - policy, or UNCOMPARABLE (which no comparison accepts) when either is not a number. */
    private static int numeric(String value, String policy) {
        BigDecimal v = number(value);
        BigDecimal p = number(policy);
        return v == null || p == null ? UNCOMPARABLE : Integer.signum(v.compareTo(p));
    }

    private static BigDecimal number(String text) {
        try {
            return new BigDecimal(text.trim().toLowerCase(Locale.ROOT));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
