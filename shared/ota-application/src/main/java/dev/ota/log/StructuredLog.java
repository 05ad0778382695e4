package dev.ota.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One JSON object per line on stdout, which Lambda ships to CloudWatch Logs where Logs Insights
 * queries the fields directly. Kept tiny on purpose: a logging framework costs cold start.
 *
 * <p>Each line has {@code timestamp} and {@code level}, which Lambda's JSON log format reads to
 * filter by the function's application log level; lines below that level (Lambda passes it as
 * {@code AWS_LAMBDA_LOG_LEVEL}, else {@code LOG_LEVEL}, default INFO) are not even built. Within
 * an invocation ({@link #beginInvocation}) every line carries the request id, the function version,
 * cold start, and the device and job once known ({@link #context}).
 */
public final class StructuredLog {

    /** Levels in order; a line is written when its level is at least the threshold. */
    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");

    private static final int THRESHOLD = threshold(System.getenv("AWS_LAMBDA_LOG_LEVEL"), System.getenv("LOG_LEVEL"));

    private static final ThreadLocal<Map<String, Object>> CONTEXT = ThreadLocal.withInitial(LinkedHashMap::new);

    static int threshold(String lambdaLevel, String logLevel) {
        for (String level : new String[] {lambdaLevel, logLevel}) {
            if (level != null && LEVELS.contains(level.toUpperCase(Locale.ROOT))) {
                return LEVELS.indexOf(level.toUpperCase(Locale.ROOT));
            }
        }
        return LEVELS.indexOf("INFO");
    }

    /** Starts an invocation's log context on this thread. */
    public static void beginInvocation(String requestId, String functionVersion, boolean coldStart) {
        Map<String, Object> context = CONTEXT.get();
        context.clear();
        if (requestId != null) {
            context.put("requestId", requestId);
        }
        if (functionVersion != null) {
            context.put("functionVersion", functionVersion);
        }
        context.put("coldStart", coldStart);
    }

    /** Adds a field (e.g. {@code device}, {@code jobId}) to every later line of this invocation. */
    public static void context(String key, Object value) {
        if (value != null) {
            CONTEXT.get().put(key, value);
        }
    }

    public static void endInvocation() {
        CONTEXT.remove();
    }

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

    /** Whether DEBUG lines are written (to skip building their values when not). */
    public static boolean debugEnabled() {
        return THRESHOLD <= LEVELS.indexOf("DEBUG");
    }

    public void debug(String event, Object... keyValues) {
        if (debugEnabled()) {
            write("DEBUG", event, keyValues);
        }
    }

    public void info(String event, Object... keyValues) {
        if (THRESHOLD <= LEVELS.indexOf("INFO")) {
            write("INFO", event, keyValues);
        }
    }

    public void warn(String event, Object... keyValues) {
        if (THRESHOLD <= LEVELS.indexOf("WARN")) {
            write("WARN", event, keyValues);
        }
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
        line.put("timestamp", Instant.now().toString());
        line.put("level", level);
        line.put("component", component);
        line.put("event", event);
        CONTEXT.get().forEach((k, v) -> line.set(k, valueOf(v)));
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
