package dev.ota.function.managementapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An API Gateway HTTP API request (payload format 2.0), read from the event JSON: method, path
 * segments (percent-decoded one by one, so an encoded '/' cannot split a segment), the raw query
 * string parsed strictly (a parameter given twice is refused), headers and the decoded body.
 */
public final class ApiRequest {

    /** Largest body accepted: an explicit device list of 10,000 names of 128 characters fits. */
    public static final int MAX_BODY_BYTES = 2 * 1024 * 1024;

    private final String method;
    private final String path;
    private final List<String> segments;
    private final Map<String, String> query;
    private final Map<String, String> headers;
    private final byte[] body;
    private final String requestId;
    private final String caller;

    private ApiRequest(
            String method,
            String path,
            List<String> segments,
            Map<String, String> query,
            Map<String, String> headers,
            byte[] body,
            String requestId,
            String caller) {
        this.method = method;
        this.path = path;
        this.segments = segments;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.requestId = requestId;
        this.caller = caller;
    }

    public static ApiRequest from(JsonNode event) {
        if (event == null || !event.isObject()) {
            throw ApiError.invalid("the event is not an API Gateway HTTP API (payload 2.0) request");
        }
        JsonNode http = event.path("requestContext").path("http");
        String method = http.path("method").asText("");
        String rawPath = event.path("rawPath").isTextual()
                ? event.path("rawPath").textValue()
                : http.path("path").asText("");
        if (method.isEmpty() || rawPath.isEmpty()) {
            throw ApiError.invalid("the event is not an API Gateway HTTP API (payload 2.0) request: no method or path");
        }
        // Named stages put their name in front of the path; the $default stage does not.
        String stage = event.path("requestContext").path("stage").asText("$default");
        if (!"$default".equals(stage) && rawPath.startsWith("/" + stage + "/")) {
            rawPath = rawPath.substring(stage.length() + 1);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = event.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue().asText());
        }
        byte[] body = body(event);
        return new ApiRequest(
                method.toUpperCase(Locale.ROOT),
                rawPath,
                segments(rawPath),
                parseQuery(event.path("rawQueryString").asText("")),
                headers,
                body,
                event.path("requestContext").path("requestId").asText(null),
                caller(event.path("requestContext").path("authorizer").path("iam")));
    }

    /**
     * The IAM caller API Gateway's IAM authorizer verified: its user or role ARN ({@code userArn};
     * for an assumed role, the STS assumed-role ARN with the session name), else its {@code callerId}.
     */
    private static String caller(JsonNode iam) {
        String arn = iam.path("userArn").asText("");
        if (!arn.isBlank()) {
            return arn;
        }
        String id = iam.path("callerId").asText("");
        return id.isBlank() ? null : id;
    }

    private static byte[] body(JsonNode event) {
        JsonNode body = event.get("body");
        if (body == null || body.isNull()) {
            return new byte[0];
        }
        String text = body.asText();
        byte[] bytes;
        if (event.path("isBase64Encoded").asBoolean(false)) {
            try {
                bytes = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid("the body is marked base64 but is not");
            }
        } else {
            bytes = text.getBytes(StandardCharsets.UTF_8);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiError(
                    413,
                    ApiError.PAYLOAD_TOO_LARGE,
                    "the body has " + bytes.length + " bytes; at most " + MAX_BODY_BYTES + " are accepted");
        }
        return bytes;
    }

    static List<String> segments(String rawPath) {
        String trimmed = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        List<String> segments = new ArrayList<>();
        for (String raw : trimmed.split("/", -1)) {
            segments.add(decode(raw, false));
        }
        return segments;
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = decode(eq < 0 ? "" : pair.substring(eq + 1), true);
            if (query.put(name, value) != null) {
                throw ApiError.invalid("query parameter '" + name + "' is given more than once");
            }
        }
        return query;
    }

    /** Percent-decoding; '+' means a space only in a query string. */
    private static String decode(String raw, boolean plusIsSpace) {
        try {
            return URLDecoder.decode(plusIsSpace ? raw : raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("'" + raw + "' is not valid percent-encoding");
        }
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    public List<String> segments() {
        return segments;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public byte[] body() {
        return body;
    }

    public String requestId() {
        return requestId;
    }

    /** Who signed the request (see {@link #caller(JsonNode)}); null when the event names no IAM caller. */
    public String caller() {
        return caller;
    }

    /** Refuses query parameters this route does not know (a typo must not silently change a listing). */
    public void allowQuery(Set<String> names) {
        for (String name : query.keySet()) {
            if (!names.contains(name)) {
                throw ApiError.invalid("unknown query parameter '" + name + "'"
                        + (names.isEmpty() ? "" : "; known: " + String.join(", ", names)));
            }
        }
    }

    public String query(String name) {
        String value = query.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    public int limit(int fallback, int max) {
        String value = query("limit");
        if (value == null) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiError.invalid("limit must be a whole number 1.." + max + ", not '" + value + "'");
    }
}
