package dev.ota.testing;

import dev.ota.port.out.ThingRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An AWS IoT registry in memory: things with attributes, static groups (members listed without
 * attributes, as ListThingsInThingGroup does), dynamic groups (a query), and the things each
 * query finds, set by the test. Pages honour {@code limit}; tokens are offsets. Counts calls.
 */
public final class InMemoryThingRegistry implements ThingRegistry {

    private final Map<String, Map<String, String>> things = new LinkedHashMap<>();
    private final Map<String, List<String>> staticGroups = new LinkedHashMap<>();
    private final Map<String, String> dynamicGroups = new LinkedHashMap<>();
    private final Map<String, List<String>> queryResults = new LinkedHashMap<>();
    private final Map<String, String> refusedQueries = new LinkedHashMap<>();
    public int describeThingCalls;
    public int pages;

    public InMemoryThingRegistry thing(String name, Map<String, String> attributes) {
        things.put(name, Map.copyOf(attributes));
        return this;
    }

    public InMemoryThingRegistry group(String group, String... members) {
        staticGroups.put(group, List.of(members));
        return this;
    }

    public InMemoryThingRegistry dynamicGroup(String group, String query) {
        dynamicGroups.put(group, query);
        return this;
    }

    /** What {@code query} finds (things must exist). */
    public InMemoryThingRegistry query(String query, String... found) {
        queryResults.put(query, List.of(found));
        return this;
    }

    public InMemoryThingRegistry refuse(String query, String reason) {
        refusedQueries.put(query, reason);
        return this;
    }

    @Override
    public Optional<ThingGroup> group(String name) {
        if (staticGroups.containsKey(name)) {
            return Optional.of(new ThingGroup(name, null, null));
        }
        if (dynamicGroups.containsKey(name)) {
            return Optional.of(new ThingGroup(name, dynamicGroups.get(name), "AWS_Things"));
        }
        return Optional.empty();
    }

    @Override
    public ThingPage members(String group, String start, int limit) {
        List<String> names = staticGroups.getOrDefault(group, List.of());
        return page(names, start, limit, false);
    }

    @Override
    public ThingPage search(String indexName, String query, String start, int limit) {
        if (refusedQueries.containsKey(query)) {
            throw new QueryRejectedException(refusedQueries.get(query), null);
        }
        return page(queryResults.getOrDefault(query, List.of()), start, limit, true);
    }

    @Override
    public Optional<Thing> thing(String thingName) {
        describeThingCalls++;
        Map<String, String> attributes = things.get(thingName);
        return attributes == null ? Optional.empty() : Optional.of(new Thing(thingName, attributes));
    }

    private ThingPage page(List<String> names, String start, int limit, boolean withAttributes) {
        pages++;
        int from = start == null ? 0 : Integer.parseInt(start);
        int to = Math.min(names.size(), from + limit);
        List<Thing> out = new ArrayList<>();
        for (String name : names.subList(from, to)) {
            out.add(new Thing(name, withAttributes ? things.getOrDefault(name, Map.of()) : null));
        }
        return new ThingPage(out, to < names.size() ? String.valueOf(to) : null);
    }
}
