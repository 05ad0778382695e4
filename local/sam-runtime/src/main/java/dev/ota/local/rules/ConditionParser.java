package dev.ota.local.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ota.local.rules.IotRuleSql.Condition;
import dev.ota.local.rules.IotRuleSql.UnsupportedRuleException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Recursive descent over the WHERE clause: or := and (OR and)*; and := unary (AND unary)*. */
final class ConditionParser {

    private static final Pattern TOKEN =
            Pattern.compile("\\s*('(?:[^']|'')*'|<>|!=|=|\\(|\\)|-?\\d+(?:\\.\\d+)?|[A-Za-z_][A-Za-z0-9_.]*)");

    private final List<String> tokens = new ArrayList<>();
    private final String sql;
    private int pos;

    ConditionParser(String where, String sql) {
        this.sql = sql;
        Matcher m = TOKEN.matcher(where);
        int end = 0;
        while (m.lookingAt()) {
            tokens.add(m.group(1));
            end = m.end();
            m.region(end, where.length());
        }
        if (!where.substring(end).isBlank()) {
            throw new UnsupportedRuleException(
                    "WHERE clause not understood near '" + where.substring(end).trim() + "': " + sql);
        }
    }

    Condition parseAll() {
        Condition c = or();
        if (pos != tokens.size()) {
            throw new UnsupportedRuleException("WHERE clause not understood near '" + tokens.get(pos) + "': " + sql);
        }
        return c;
    }

    private Condition or() {
        Condition left = and();
        while (keyword("OR")) {
            Condition l = left, r = and();
            left = m -> {
                Optional<Boolean> a = l.test(m), b = r.test(m);
                if (a.orElse(false) || b.orElse(false)) {
                    return Optional.of(true);
                }
                return a.isPresent() && b.isPresent() ? Optional.of(false) : Optional.empty();
            };
        }
        return left;
    }

    private Condition and() {
        Condition left = unary();
        while (keyword("AND")) {
            Condition l = left, r = unary();
            left = m -> {
                Optional<Boolean> a = l.test(m), b = r.test(m);
                if (a.isPresent() && !a.get() || b.isPresent() && !b.get()) {
                    return Optional.of(false);
                }
                return a.isPresent() && b.isPresent() ? Optional.of(true) : Optional.empty();
            };
        }
        return left;
    }

    private Condition unary() {
        if (keyword("NOT")) {
            Condition inner = unary();
            return m -> inner.test(m).map(b -> !b);
        }
        if (peek("(")) {
            pos++;
            Condition inner = or();
            expect(")");
            return inner;
        }
        if (peek("isUndefined")) {
            pos++;
            expect("(");
            String field = next();
            expect(")");
            return m -> Optional.of(IotRuleSql.field(m, field).isEmpty());
        }
        String left = next();
        String op = next();
        String right = next();
        if (!op.equals("=") && !op.equals("<>") && !op.equals("!=")) {
            throw new UnsupportedRuleException("operator '" + op + "' is not supported locally: " + sql);
        }
        boolean equal = op.equals("=");
        return m -> {
            Optional<JsonNode> a = operand(m, left), b = operand(m, right);
            if (a.isEmpty() || b.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(a.get().equals(b.get()) == equal);
        };
    }

    private static Optional<JsonNode> operand(JsonNode message, String token) {
        if (token.startsWith("'")) {
            return Optional.of(
                    TextNode.valueOf(token.substring(1, token.length() - 1).replace("''", "'")));
        }
        if (Character.isDigit(token.charAt(0)) || token.startsWith("-")) {
            return Optional.of(new DecimalNode(new BigDecimal(token)));
        }
        return IotRuleSql.field(message, token);
    }

    private boolean keyword(String word) {
        if (pos < tokens.size() && tokens.get(pos).equalsIgnoreCase(word)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean peek(String token) {
        return pos < tokens.size() && tokens.get(pos).equalsIgnoreCase(token);
    }

    private void expect(String token) {
        if (!peek(token)) {
            throw new UnsupportedRuleException("expected '" + token + "' in WHERE clause: " + sql);
        }
        pos++;
    }

    private String next() {
        if (pos >= tokens.size()) {
            throw new UnsupportedRuleException("WHERE clause ends too early: " + sql);
        }
        return tokens.get(pos++);
    }
}
