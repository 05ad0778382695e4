package dev.ota.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Instant;

/**
 * One JSON object per line on stdout, which Lambda ships to CloudWatch Logs where Logs Insights
 * queries the fields directly. Kept tiny on purpose: a logging framework costs cold start.
 */
public final class StructuredLog {

    private final ObjectMapper json;
    private final PrintStream out;
    private final String component;

    public StructuredLog(ObjectMapper json, String component) {
        this(json, System.out, component);
    }

    public StructuredLog(ObjectMapper json, PrintStream out, String component) {
        this.json = json;
        this.out = out;
        this.component = component;
    }

    public void info(String event, Object... keyValues) {
        write("INFO", event, keyValues);
    }

    public void warn(String event, Object... keyValues) {
        write("WARN", event, keyValues);
    }

    public void error(String event, Object... keyValues) {
        write("ERROR", event, keyValues);
    }

    /** A value Jackson cannot map (an Instant, with no java.time module) is logged as its text, never thrown. */
    private JsonNode valueOf(Object value) {
        try {
            return json.valueToTree(value);
        } catch (IllegalArgumentException e) {
            return json.getNodeFactory().textNode(String.valueOf(value));
        }
    }

    private void write(String level, String event, Object... keyValues) {
        ObjectNode line = json.createObjectNode();
        line.put("ts", Instant.now().toString());
        line.put("level", level);
        line.put("component", component);
        line.put("event", event);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.set(String.valueOf(keyValues[i]), valueOf(keyValues[i + 1]));
        }
        try {
            out.println(json.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            out.println("{\"level\":\"ERROR\",\"event\":\"log_failed\"}");
        }
    }
}
