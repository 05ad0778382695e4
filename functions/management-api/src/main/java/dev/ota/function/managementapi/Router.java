package dev.ota.function.managementapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Finds a request's route in {@link Routes#ALL} and runs its operation: 404 when no template fits
 * the path, 405 (with {@code allow}) when templates fit but none for this method. Before the
 * operation it refuses what no route of that kind takes: a body on GET or DELETE, query
 * parameters the route does not list.
 */
final class Router {
    private Router() {}

    /** The route for a request, with its path parameters. */
    record Matched(Route route, Map<String, String> params) {}

    static Matched match(String method, List<String> segments, String path) {
        List<Route> samePath = new ArrayList<>();
        for (Route route : Routes.ALL) {
            Map<String, String> params = route.match(segments);
            if (params != null) {
                if (route.method().equals(method)) {
                    return new Matched(route, params);
                }
                samePath.add(route);
            }
        }
        if (samePath.isEmpty()) {
            throw new ApiError(404, ApiError.ROUTE_NOT_FOUND, "no route " + method + " " + path);
        }
        String allow = samePath.stream().map(Route::method).distinct().collect(Collectors.joining(", "));
        throw new ApiError(
                405,
                ApiError.METHOD_NOT_ALLOWED,
                method + " is not allowed on " + path + "; allowed: " + allow,
                Map.of("allow", allow));
    }

    static ApiResponse dispatch(Endpoints endpoints, ApiRequest request) {
        Matched m = match(request.method(), request.segments(), request.path());
        Route route = m.route();
        if (!route.method().equals("POST") && !route.method().equals("PATCH") && request.body().length > 0) {
            throw ApiError.invalid(route.method() + " " + route.path() + " takes no body");
        }
        request.allowQuery(route.query());
        return route.operation().run(endpoints, request, m.params());
    }
}
