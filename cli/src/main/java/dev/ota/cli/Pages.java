package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Listing pages: one page, or every page (--all) merged into one. */
final class Pages {
    private Pages() {}

    static JsonNode fetch(
            Api api, String path, Map<String, String> filters, Integer limit, String nextToken, boolean all) {
        Map<String, String> query = new LinkedHashMap<>(filters);
        if (limit != null) {
            query.put("limit", String.valueOf(limit));
        }
        if (nextToken != null) {
            query.put("nextToken", nextToken);
        }
        JsonNode page = api.get(path, query);
        if (!all) {
            return page;
        }
        ObjectNode merged = Api.JSON.createObjectNode();
        ArrayNode items = merged.putArray("items");
        while (true) {
            page.path("items").forEach(items::add);
            JsonNode token = page.path("nextToken");
            if (token.isNull() || token.isMissingNode() || token.asText().isEmpty()) {
                break;
            }
            query.put("nextToken", token.asText());
            page = api.get(path, query);
        }
        merged.putNull("nextToken");
        return merged;
    }

    static void printToken(OtaCli root, JsonNode page) {
        JsonNode token = page.path("nextToken");
        if (!token.isNull() && !token.isMissingNode()) {
            root.environment().err().println("more: --next-token " + token.asText() + "   (or --all)");
        }
    }
}
