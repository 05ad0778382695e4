package dev.ota.aws.dynamodb;

import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Builds SET / ADD update expressions and conditions with placeholder names and values, so no
 * attribute name ever collides with a reserved word.
 */
final class Expression {
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, AttributeValue> values = new HashMap<>();
    private final StringJoiner set = new StringJoiner(", ");
    private final StringJoiner add = new StringJoiner(", ");
    private int counter;

    /** A placeholder for an attribute name. */
    String name(String attribute) {
        String placeholder = "#" + attribute;
        names.put(placeholder, attribute);
        return placeholder;
    }

    /** A placeholder for a value. */
    String value(AttributeValue value) {
        String placeholder = ":v" + counter++;
        values.put(placeholder, value);
        return placeholder;
    }

    Expression set(String attribute, AttributeValue value) {
        set.add(name(attribute) + " = " + value(value));
        return this;
    }

    Expression setAll(Map<String, AttributeValue> attributes) {
        attributes.forEach(this::set);
        return this;
    }

    Expression add(String attribute, long delta) {
        add.add(name(attribute) + " " + value(Attr.n(delta)));
        return this;
    }

    String update() {
        StringBuilder sb = new StringBuilder();
        if (set.length() > 0) {
            sb.append("SET ").append(set);
        }
        if (add.length() > 0) {
            sb.append(sb.length() > 0 ? " " : "").append("ADD ").append(add);
        }
        return sb.toString();
    }

    Map<String, String> names() {
        return names;
    }

    Map<String, AttributeValue> values() {
        return values.isEmpty() ? null : values;
    }
}
