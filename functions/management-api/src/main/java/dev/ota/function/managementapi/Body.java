package dev.ota.function.managementapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * A JSON object read strictly: every field has one type, an unknown field is an error (a typo must
 * not be silently ignored), and every message names the field by its path ({@code rollout.ratePerMinute}).
 * An explicit {@code null} counts as absent.
 */
final class Body {

    private final JsonNode node;
    private final String path;

    private Body(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The object at the top of a request body; an empty body counts as {@code {}} only if {@code emptyIsEmptyObject}. */
    static Body of(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw ApiError.invalid("the body must be a JSON object");
        }
        return new Body(node, "");
    }

    private String name(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** Fails on any field outside {@code known}. */
    Body only(Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw ApiError.invalid("unknown field '" + name(field) + "'; known: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
        return this;
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    private JsonNode value(String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiError.invalid(name(field) + " is missing");
            }
            return null;
        }
        return v;
    }

    String string(String field, boolean required) {
        JsonNode v = value(field, required);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiError.invalid(name(field) + " must be a string");
        }
        return v.textValue();
    }

    Long wholeNumber(String field, boolean required, long min, long max) {
        JsonNode v = value(field, required);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.invalid(name(field) + " must be a whole number");
        }
        long n = v.longValue();
        if (n < min || n > max) {
            throw ApiError.invalid(name(field) + " must be " + min + ".." + max + ", not " + n);
        }
        return n;
    }

    Integer integer(String field, boolean required, int min, int max) {
        Long n = wholeNumber(field, required, min, max);
        return n == null ? null : n.intValue();
    }

    Double decimal(String field, boolean required, double min, double max) {
        JsonNode v = value(field, required);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw ApiError.invalid(name(field) + " must be a number");
        }
        double d = v.doubleValue();
        if (!(d >= min && d <= max)) {
            throw ApiError.invalid(name(field) + " must be " + min + ".." + max + ", not " + v.asText());
        }
        return d;
    }

    Boolean bool(String field, boolean required) {
        JsonNode v = value(field, required);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw ApiError.invalid(name(field) + " must be true or false");
        }
        return v.booleanValue();
    }

    Instant instant(String field) {
        String text = string(field, false);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiError.invalid(
                    name(field) + " must be an ISO-8601 UTC time such as 2026-01-31T18:00:00Z, not '" + text + "'");
        }
    }

    Duration seconds(String field, long min, long max) {
        Long n = wholeNumber(field, false, min, max);
        return n == null ? null : Duration.ofSeconds(n);
    }

    <E extends Enum<E>> E enumValue(String field, Class<E> type, boolean required) {
        String text = string(field, required);
        if (text == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(name(field) + " must be one of " + Arrays.toString(type.getEnumConstants())
                    + ", not '" + text + "'");
        }
    }

    Body object(String field, boolean required) {
        JsonNode v = value(field, required);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiError.invalid(name(field) + " must be an object");
        }
        return new Body(v, name(field));
    }

    /** An array whose elements are read by {@code element} (given each element as a Body-like reader). */
    <T> List<T> array(String field, boolean required, int maxSize, Function<Element, T> element) {
        JsonNode v = value(field, required);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw ApiError.invalid(name(field) + " must be an array");
        }
        if (v.size() > maxSize) {
            throw ApiError.invalid(name(field) + " has " + v.size() + " entries; at most " + maxSize);
        }
        List<T> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(element.apply(new Element(v.get(i), name(field) + "[" + i + "]")));
        }
        return out;
    }

    List<String> strings(String field, boolean required, int maxSize) {
        return array(field, required, maxSize, Element::string);
    }

    /** One element of an array. */
    record Element(JsonNode node, String path) {
        String string() {
            if (!node.isTextual()) {
                throw ApiError.invalid(path + " must be a string");
            }
            return node.textValue();
        }

        int integer(int min, int max) {
            if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
                throw ApiError.invalid(path + " must be a whole number " + min + ".." + max);
            }
            return node.intValue();
        }

        Body object() {
            if (!node.isObject()) {
                throw ApiError.invalid(path + " must be an object");
            }
            return new Body(node, path);
        }
    }
}
