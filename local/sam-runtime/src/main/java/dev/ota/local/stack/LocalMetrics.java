package dev.ota.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What CloudWatch would extract from the functions' Embedded Metric Format documents: each
 * document is read as CloudWatch Logs reads it ({@code _aws.CloudWatchMetrics}: namespace,
 * dimension sets, metric names; values and dimension values at the root) and its values summed per
 * metric and dimension values. A document that is not valid EMF fails the function's invocation,
 * as it would be dropped silently on AWS.
 */
public final class LocalMetrics implements Consumer<String> {

    /** One metric series: name and dimension values (sorted by dimension name). */
    public record Series(String namespace, String metric, Map<String, String> dimensions) {}

    /** Sum, count and maximum of a series' values. */
    public record Stats(double sum, long count, double max) {}

    private final ObjectMapper json;
    private final Map<Series, Stats> series = new ConcurrentHashMap<>();

    public LocalMetrics(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void accept(String document) {
        JsonNode root;
        try {
            root = json.readTree(document);
        } catch (IOException e) {
            throw new IllegalStateException("not an EMF document (not JSON): " + document, e);
        }
        JsonNode directives = root.path("_aws").path("CloudWatchMetrics");
        if (!root.path("_aws").path("Timestamp").isNumber() || !directives.isArray() || directives.isEmpty()) {
            throw new IllegalStateException("not an EMF document (no _aws.Timestamp / CloudWatchMetrics): " + document);
        }
        for (JsonNode directive : directives) {
            String namespace = directive.path("Namespace").asText();
            List<List<String>> sets = new ArrayList<>();
            for (JsonNode set : directive.path("Dimensions")) {
                List<String> names = new ArrayList<>();
                set.forEach(n -> names.add(n.asText()));
                sets.add(names);
            }
            if (sets.isEmpty()) {
                sets.add(List.of());
            }
            for (JsonNode metric : directive.path("Metrics")) {
                String name = metric.path("Name").asText();
                JsonNode value = root.get(name);
                if (value == null) {
                    throw new IllegalStateException("EMF metric " + name + " has no value: " + document);
                }
                for (List<String> set : sets) {
                    Map<String, String> dimensions = new TreeMap<>();
                    for (String d : set) {
                        if (!root.path(d).isTextual()) {
                            throw new IllegalStateException("EMF dimension " + d + " has no value: " + document);
                        }
                        dimensions.put(d, root.path(d).asText());
                    }
                    Series key = new Series(namespace, name, Map.copyOf(dimensions));
                    if (value.isArray()) {
                        value.forEach(v -> add(key, v.asDouble()));
                    } else {
                        add(key, value.asDouble());
                    }
                }
            }
        }
    }

    private void add(Series key, double value) {
        series.merge(
                key,
                new Stats(value, 1, value),
                (a, b) -> new Stats(a.sum() + b.sum(), a.count() + b.count(), Math.max(a.max(), b.max())));
    }

    /** Every series so far. */
    public Map<Series, Stats> series() {
        return Map.copyOf(series);
    }

    /** The sum of a metric over every series whose dimensions include {@code dimensions}. */
    public double sum(String metric, Map<String, String> dimensions) {
        return series.entrySet().stream()
                .filter(e -> e.getKey().metric().equals(metric)
                        && e.getKey().dimensions().entrySet().containsAll(dimensions.entrySet()))
                .mapToDouble(e -> e.getValue().sum())
                .sum();
    }

    public double sum(String metric) {
        return sum(metric, Map.of());
    }

    /** The largest value of a metric over all its series (e.g. SchedulerLagSeconds); 0 without any. */
    public double max(String metric) {
        return series.entrySet().stream()
                .filter(e -> e.getKey().metric().equals(metric))
                .mapToDouble(e -> e.getValue().max())
                .max()
                .orElse(0);
    }

    /** The admin endpoint's {@code metrics} view: one entry per series, sorted by metric. */
    public ArrayNode view() {
        ArrayNode out = json.createArrayNode();
        series.entrySet().stream()
                .sorted((a, b) -> (a.getKey().metric() + a.getKey().dimensions())
                        .compareTo(b.getKey().metric() + b.getKey().dimensions()))
                .forEach(e -> {
                    ObjectNode n = out.addObject()
                            .put("namespace", e.getKey().namespace())
                            .put("metric", e.getKey().metric());
                    ObjectNode d = n.putObject("dimensions");
                    e.getKey().dimensions().forEach(d::put);
                    n.put("sum", e.getValue().sum())
                            .put("count", e.getValue().count())
                            .put("max", e.getValue().max());
                });
        return out;
    }
}
