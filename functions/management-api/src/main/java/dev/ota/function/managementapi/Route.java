package dev.ota.function.managementapi;

import java.util.List;
import java.util.Map;

/**
 * One route of the API: method, path template ({@code /jobs/{jobId}}), and the operation it runs.
 * template.yaml's HttpApi events and docs/openapi.yaml list exactly these (a test checks).
 */
public record Route(String method, String path, String operationId) {

    public List<String> segments() {
        return List.of(path.substring(1).split("/"));
    }

    /** The route key as API Gateway names it: {@code GET /jobs/{jobId}}. */
    public String routeKey() {
        return method + " " + path;
    }

    /** Path parameters if {@code actual} (decoded segments) fits this template, else null. */
    Map<String, String> match(List<String> actual) {
        List<String> template = segments();
        if (template.size() != actual.size()) {
            return null;
        }
        Map<String, String> params = new java.util.LinkedHashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String a = actual.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (a.isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), a);
            } else if (!t.equals(a)) {
                return null;
            }
        }
        return params;
    }
}
