package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.burt.jmespath.Expression;
import io.burt.jmespath.JmesPath;
import io.burt.jmespath.jackson.JacksonRuntime;
import io.burt.jmespath.parser.ParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --query}: a JMESPath expression, as the AWS CLI takes it, compiled while the command line
 * is parsed (a bad one is a usage error before any request is sent) and applied to the JSON a
 * command prints.
 */
public final class JsonQuery {

    private static final JmesPath<JsonNode> JMESPATH = new JacksonRuntime();

    private final String text;
    private final Expression<JsonNode> expression;

    private JsonQuery(String text, Expression<JsonNode> expression) {
        this.text = text;
        this.expression = expression;
    }

    public static JsonQuery compile(String text) {
        try {
            return new JsonQuery(text, JMESPATH.compile(text));
        } catch (ParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a JMESPath expression: " + e.getMessage(), e);
        }
    }

    public JsonNode apply(JsonNode input) {
        return expression.search(input);
    }

    @Override
    public String toString() {
        return text;
    }

    /** picocli's converter for {@code --query}. */
    public static final class Converter implements ITypeConverter<JsonQuery> {
        @Override
        public JsonQuery convert(String value) {
            try {
                return compile(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
