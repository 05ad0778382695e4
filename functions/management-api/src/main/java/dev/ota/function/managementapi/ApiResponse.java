package dev.ota.function.managementapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** The response API Gateway turns into HTTP: status, JSON body (none for 204) and headers besides the content type. */
record ApiResponse(int status, JsonNode body, Map<String, String> headers) {

    static ApiResponse ok(int status, JsonNode body) {
        return new ApiResponse(status, body, Map.of());
    }

    static ApiResponse noContent() {
        return new ApiResponse(204, null, Map.of());
    }
}
