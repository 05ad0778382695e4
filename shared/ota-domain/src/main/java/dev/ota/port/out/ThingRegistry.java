package dev.ota.port.out;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The AWS IoT registry as job targets need it: the things of a thing group, the things a
 * fleet-indexing query finds, and one thing's attributes. Only the job worker, which expands
 * targets, has one ({@link #NONE} elsewhere).
 */
public interface ThingRegistry {

    /** For engines that never expand thing-group or fleet-query targets. */
    ThingRegistry NONE = new ThingRegistry() {
        @Override
        public Optional<ThingGroup> group(String name) {
            throw new IllegalStateException("no AWS IoT registry here");
        }

        @Override
        public ThingPage members(String group, String start, int limit) {
            throw new IllegalStateException("no AWS IoT registry here");
        }

        @Override
        public ThingPage search(String indexName, String query, String start, int limit) {
            throw new IllegalStateException("no AWS IoT registry here");
        }

        @Override
        public Optional<Thing> thing(String thingName) {
            throw new IllegalStateException("no AWS IoT registry here");
        }
    };

    /** A thing; {@code attributes} is null when the call that listed it does not return them. */
    record Thing(String thingName, Map<String, String> attributes) {}

    /** @param next null on the last page */
    record ThingPage(List<Thing> things, String next) {}

    /** A thing group; a dynamic one has the fleet-indexing query (and index) that decides its members. */
    record ThingGroup(String name, String queryString, String indexName) {
        public boolean dynamic() {
            return queryString != null;
        }
    }

    /** A query or index the registry refuses (bad syntax, fleet indexing off): retrying cannot help. */
    final class QueryRejectedException extends RuntimeException {
        public QueryRejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    Optional<ThingGroup> group(String name);

    /** One page of a static group's things, its child groups' included. */
    ThingPage members(String group, String start, int limit);

    /**
     * One page of the things a query finds.
     *
     * @param indexName null for AWS_Things
     * @throws QueryRejectedException for a query or index the registry refuses
     */
    ThingPage search(String indexName, String query, String start, int limit);

    Optional<Thing> thing(String thingName);
}
