package dev.ota.function.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;

/** What a function returns: {@code {"outcome":"APPLIED"}} or a rejection with its reason. */
public final class HandlerResponse {
    private HandlerResponse() {}

    public static void outcome(ObjectMapper json, OutputStream out, String outcome) throws IOException {
        json.writeValue(out, json.createObjectNode().put("outcome", outcome));
    }

    public static void rejected(ObjectMapper json, OutputStream out, String reason) throws IOException {
        json.writeValue(out, json.createObjectNode().put("outcome", "REJECTED").put("reason", reason));
    }
}
