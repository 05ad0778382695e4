package dev.ota.function.managementapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One route of the API: method, path template ({@code /jobs/{jobId}}), the query parameters it
 * takes, and the operation it runs. template.yaml's HttpApi events and docs/openapi.yaml list
 * exactly these (a test checks). The routes are the constants of {@link Routes}.
 */
public final class Route {

    /** What a route does: one method of {@link Endpoints}, given the request and its path parameters. */
    @FunctionalInterface
    interface Operation {
        ApiResponse run(Endpoints endpoints, ApiRequest request, Map<String, String> params);
    }

    private final String method;
    private final String path;
    private final String operationId;
    private final Set<String> query;
    private final Operation operation;

    Route(String method, String path, String operationId, Set<String> query, Operation operation) {
        this.method = method;
        this.path = path;
        this.operationId = operationId;
        this.query = query;
        this.operation = operation;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    public String operationId() {
        return operationId;
    }

    public List<String> segments() {
        return List.of(path.substring(1).split("/"));
    }

    /** The route key as API Gateway names it: {@code GET /jobs/{jobId}}. */
    public String routeKey() {
        return method + " " + path;
    }

    /** The query parameters the route takes; any other is refused. */
    Set<String> query() {
        return query;
    }

    Operation operation() {
        return operation;
    }

    /** Path parameters if {@code actual} (decoded segments) fits this template, else null. */
    Map<String, String> match(List<String> actual) {
        List<String> template = segments();
        if (template.size() != actual.size()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
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

    @Override
    public String toString() {
        return routeKey();
    }
}
