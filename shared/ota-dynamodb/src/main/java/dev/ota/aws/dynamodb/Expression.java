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
    private final StringJoiner remove = new StringJoiner(", ");
    private final StringJoiner delete = new StringJoiner(", ");
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

    /** {@code SET placeholder = expression}: {@code expression} built with this expression's placeholders. */
    Expression setExpression(String placeholder, String expression) {
        set.add(placeholder + " = " + expression);
        return this;
    }

    Expression setAll(Map<String, AttributeValue> attributes) {
        attributes.forEach(this::set);
        return this;
    }

    /** {@code SET attribute = if_not_exists(other, value)}. */
    Expression setIfNotExists(String attribute, String other, AttributeValue value) {
        set.add(name(attribute) + " = if_not_exists(" + name(other) + ", " + value(value) + ")");
        return this;
    }

    Expression add(String attribute, long delta) {
        add.add(name(attribute) + " " + value(Attr.n(delta)));
        return this;
    }

    /** Sets the attribute, or removes it when {@code value} is null. */
    Expression setOrRemove(String attribute, AttributeValue value) {
        return value == null ? remove(attribute) : set(attribute, value);
    }

    /** {@code SET attribute.key = value} on a map attribute. */
    Expression setEntry(String attribute, String key, AttributeValue value) {
        set.add(name(attribute) + "." + name(key) + " = " + value(value));
        return this;
    }

    /** {@code REMOVE attribute.key} on a map attribute (nothing if the key is not there). */
    Expression removeEntry(String attribute, String key) {
        remove.add(name(attribute) + "." + name(key));
        return this;
    }

    Expression remove(String attribute) {
        remove.add(name(attribute));
        return this;
    }

    /** Removes elements from a set attribute. */
    Expression delete(String attribute, AttributeValue elements) {
        delete.add(name(attribute) + " " + value(elements));
        return this;
    }

    Expression addSet(String attribute, AttributeValue elements) {
        add.add(name(attribute) + " " + value(elements));
        return this;
    }

    String update() {
        StringBuilder sb = new StringBuilder();
        clause(sb, "SET", set);
        clause(sb, "ADD", add);
        clause(sb, "REMOVE", remove);
        clause(sb, "DELETE", delete);
        return sb.toString();
    }

    private static void clause(StringBuilder sb, String keyword, StringJoiner parts) {
        if (parts.length() > 0) {
            sb.append(sb.length() > 0 ? " " : "").append(keyword).append(' ').append(parts);
        }
    }

    Map<String, String> names() {
        return names;
    }

    Map<String, AttributeValue> values() {
        return values.isEmpty() ? null : values;
    }
}
