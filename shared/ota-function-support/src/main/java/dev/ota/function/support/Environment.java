package dev.ota.function.support;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * The environment variables template.yaml sets on a function, read one way everywhere: a missing
 * required value or a malformed number stops the function at init with the variable's name.
 */
public final class Environment {

    private final Function<String, String> values;

    private Environment(Function<String, String> values) {
        this.values = values;
    }

    public static Environment system() {
        return new Environment(System::getenv);
    }

    public static Environment of(Map<String, String> values) {
        return new Environment(values::get);
    }

    /** The value, or null when unset or blank. */
    public String optional(String name) {
        String value = values.apply(name);
        return value == null || value.isBlank() ? null : value;
    }

    public String required(String name) {
        String value = optional(name);
        if (value == null) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    public String text(String name, String fallback) {
        String value = optional(name);
        return value == null ? fallback : value;
    }

    public long number(String name, long fallback) {
        String value = optional(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " is not a whole number: " + value);
        }
    }

    public Duration seconds(String name, Duration fallback) {
        return Duration.ofSeconds(number(name, fallback.toSeconds()));
    }
}
