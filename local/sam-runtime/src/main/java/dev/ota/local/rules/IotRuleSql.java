package dev.ota.local.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of AWS IoT SQL (2016-03-23) that this project's rules use, read from template.yaml so
 * the local router does what the deployed rules do: {@code SELECT} of {@code *}, payload fields,
 * {@code topic()}, {@code topic(n)}, {@code clientid()} and {@code timestamp()} with {@code AS} aliases; {@code FROM
 * 'topic/filter'}; {@code WHERE} with {@code = <> !=}, {@code AND}, {@code OR}, {@code NOT},
 * parentheses and {@code isUndefined(field)}. Anything else is a start-up error, never a silent skip.
 *
 * <p>As in AWS, a comparison with an undefined field is undefined and the rule does not fire, and a
 * projected field the payload lacks is left out of the event.
 */
public final class IotRuleSql {

    private static final Pattern STATEMENT =
            Pattern.compile("(?is)^\\s*SELECT\\s+(.+?)\\s+FROM\\s+'([^']+)'\\s*(?:WHERE\\s+(.+?))?\\s*;?\\s*$");

    private final String sql;
    private final List<Projection> projections;
    private final String topicFilter;
    private final Condition where;

    private IotRuleSql(String sql, List<Projection> projections, String topicFilter, Condition where) {
        this.sql = sql;
        this.projections = projections;
        this.topicFilter = topicFilter;
        this.where = where;
    }

    public static IotRuleSql parse(String sql) {
        Matcher m = STATEMENT.matcher(sql);
        if (!m.matches()) {
            throw new UnsupportedRuleException("not SELECT ... FROM '...' [WHERE ...]: " + sql);
        }
        List<Projection> projections = new ArrayList<>();
        for (String item : splitTopLevel(m.group(1))) {
            projections.add(Projection.parse(item.trim(), sql));
        }
        Condition where =
                m.group(3) == null ? (event) -> Optional.of(true) : new ConditionParser(m.group(3), sql).parseAll();
        return new IotRuleSql(sql, List.copyOf(projections), m.group(2), where);
    }

    public String topicFilter() {
        return topicFilter;
    }

    public String sql() {
        return sql;
    }

    /**
     * The event the rule hands its action, or empty when the WHERE clause does not hold.
     *
     * @param payload the message's JSON object (non-JSON payloads never match a rule with fields)
     */
    public Optional<ObjectNode> apply(
            ObjectMapper json, String topic, JsonNode payload, String clientId, long timestampMillis) {
        JsonNode message = payload == null ? json.createObjectNode() : payload;
        if (!where.test(message).orElse(false)) {
            return Optional.empty();
        }
        ObjectNode event = json.createObjectNode();
        String[] levels = topic.split("/", -1);
        for (Projection p : projections) {
            p.project(event, message, levels, clientId, timestampMillis);
        }
        return Optional.of(event);
    }

    /** Splits on commas outside parentheses and quotes. */
    private static List<String> splitTopLevel(String list) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        StringBuilder current = new StringBuilder();
        for (char c : list.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                parts.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        parts.add(current.toString());
        return parts;
    }

    /** One SELECT item. */
    private record Projection(String kind, String argument, String alias) {
        private static final Pattern ITEM = Pattern.compile(
                "(?i)^(\\*|[A-Za-z_][A-Za-z0-9_.]*|topic\\((\\d*)\\)|clientid\\(\\)|timestamp\\(\\))(?:\\s+AS\\s+([A-Za-z_][A-Za-z0-9_]*))?$");

        static Projection parse(String item, String sql) {
            Matcher m = ITEM.matcher(item);
            if (!m.matches()) {
                throw new UnsupportedRuleException("SELECT item '" + item + "' is not supported locally: " + sql);
            }
            String expr = m.group(1);
            String alias = m.group(3);
            String lower = expr.toLowerCase();
            if (expr.equals("*")) {
                if (alias != null) {
                    throw new UnsupportedRuleException("'* AS alias' is not supported locally: " + sql);
                }
                return new Projection("all", null, null);
            }
            if (lower.startsWith("topic(")) {
                return new Projection("topic", m.group(2), require(alias, item, sql));
            }
            if (lower.equals("clientid()")) {
                return new Projection("clientid", null, require(alias, item, sql));
            }
            if (lower.equals("timestamp()")) {
                return new Projection("timestamp", null, require(alias, item, sql));
            }
            String name = alias != null ? alias : expr.substring(expr.lastIndexOf('.') + 1);
            return new Projection("field", expr, name);
        }

        private static String require(String alias, String item, String sql) {
            if (alias == null) {
                throw new UnsupportedRuleException("'" + item + "' needs an AS alias: " + sql);
            }
            return alias;
        }

        void project(ObjectNode event, JsonNode message, String[] levels, String clientId, long timestamp) {
            switch (kind) {
                case "all" -> {
                    if (message.isObject()) {
                        event.setAll((ObjectNode) message.deepCopy());
                    }
                }
                case "topic" -> {
                    if (argument.isEmpty()) {
                        event.put(alias, String.join("/", levels));
                        break;
                    }
                    int n = Integer.parseInt(argument);
                    if (n >= 1 && n <= levels.length) {
                        event.put(alias, levels[n - 1]);
                    }
                }
                case "clientid" -> event.put(alias, clientId);
                case "timestamp" -> event.put(alias, timestamp);
                default -> field(message, argument).ifPresent(v -> event.set(alias, v.deepCopy()));
            }
        }
    }

    static Optional<JsonNode> field(JsonNode message, String path) {
        JsonNode node = message;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
    }

    /** A WHERE condition in three-valued logic: empty is Undefined. */
    @FunctionalInterface
    interface Condition {
        Optional<Boolean> test(JsonNode message);
    }

    public static final class UnsupportedRuleException extends RuntimeException {
        public UnsupportedRuleException(String message) {
            super(message);
        }
    }
}
