package dev.ota.function.managementapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** API Gateway HTTP API (payload 2.0) events, as API Gateway sends them. */
final class Events {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The IAM caller every event names (API Gateway's IAM authorizer). */
    static final String CALLER = "arn:aws:iam::123456789012:user/operator";

    private Events() {}

    static byte[] event(String method, String pathAndQuery, String body) {
        return event(method, pathAndQuery, body, "application/json");
    }

    static byte[] event(String method, String pathAndQuery, String body, String contentType) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        ObjectNode e = JSON.createObjectNode();
        e.put("version", "2.0");
        e.put("routeKey", "$default");
        e.put("rawPath", path);
        e.put("rawQueryString", query);
        ObjectNode headers = e.putObject("headers");
        headers.put("host", "abc123.execute-api.eu-west-1.amazonaws.com");
        if (contentType != null) {
            headers.put("content-type", contentType);
        }
        ObjectNode ctx = e.putObject("requestContext");
        ctx.put("requestId", "req-1");
        ctx.put("stage", "$default");
        ctx.putObject("authorizer")
                .putObject("iam")
                .put("accountId", "123456789012")
                .put("callerId", "AIDACKCEVSQ6C2EXAMPLE")
                .put("userArn", CALLER)
                .put("userId", "AIDACKCEVSQ6C2EXAMPLE");
        ctx.putObject("http")
                .put("method", method)
                .put("path", path)
                .put("protocol", "HTTP/1.1")
                .put("sourceIp", "192.0.2.1");
        if (body != null) {
            e.put("body", body);
        }
        e.put("isBase64Encoded", false);
        return e.toString().getBytes(StandardCharsets.UTF_8);
    }
}
