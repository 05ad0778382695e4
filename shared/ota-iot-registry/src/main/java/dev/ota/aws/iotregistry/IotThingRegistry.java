package dev.ota.aws.iotregistry;

import dev.ota.port.out.ThingRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.DescribeThingGroupResponse;
import software.amazon.awssdk.services.iot.model.DescribeThingResponse;
import software.amazon.awssdk.services.iot.model.IndexNotReadyException;
import software.amazon.awssdk.services.iot.model.InvalidQueryException;
import software.amazon.awssdk.services.iot.model.InvalidRequestException;
import software.amazon.awssdk.services.iot.model.ListThingsInThingGroupResponse;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;
import software.amazon.awssdk.services.iot.model.SearchIndexResponse;

/**
 * {@link ThingRegistry} on the AWS IoT control plane. The calls, and so the job worker's IAM
 * actions: {@code iot:DescribeThingGroup} and {@code iot:ListThingsInThingGroup} (thing groups),
 * {@code iot:SearchIndex} (fleet queries and dynamic groups, on the index), {@code iot:DescribeThing}
 * (a listed thing whose name is no device's). Throttling and other errors a retry can cure are
 * thrown as they come: the work message is retried.
 */
public final class IotThingRegistry implements ThingRegistry {

    private final IotClient iot;

    public IotThingRegistry(IotClient iot) {
        this.iot = iot;
    }

    @Override
    public Optional<ThingGroup> group(String name) {
        try {
            DescribeThingGroupResponse g = iot.describeThingGroup(r -> r.thingGroupName(name));
            return Optional.of(new ThingGroup(g.thingGroupName(), g.queryString(), g.indexName()));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public ThingPage members(String group, String start, int limit) {
        ListThingsInThingGroupResponse page = iot.listThingsInThingGroup(
                r -> r.thingGroupName(group).recursive(true).maxResults(limit).nextToken(start));
        return new ThingPage(
                page.things().stream().map(name -> new Thing(name, null)).toList(), blankToNull(page.nextToken()));
    }

    @Override
    public ThingPage search(String indexName, String query, String start, int limit) {
        SearchIndexResponse page;
        try {
            page = iot.searchIndex(r ->
                    r.indexName(indexName).queryString(query).maxResults(limit).nextToken(start));
        } catch (InvalidQueryException | IndexNotReadyException | InvalidRequestException e) {
            throw new QueryRejectedException(
                    e.awsErrorDetails() == null
                            ? e.getMessage()
                            : e.awsErrorDetails().errorMessage(),
                    e);
        } catch (ResourceNotFoundException e) {
            throw new QueryRejectedException(
                    "no fleet index " + (indexName == null ? "AWS_Things" : indexName) + " (is fleet indexing on?)", e);
        }
        List<Thing> things = page.things().stream()
                .map(t -> new Thing(t.thingName(), t.hasAttributes() ? t.attributes() : Map.of()))
                .toList();
        return new ThingPage(things, blankToNull(page.nextToken()));
    }

    @Override
    public Optional<Thing> thing(String thingName) {
        try {
            DescribeThingResponse t = iot.describeThing(r -> r.thingName(thingName));
            return Optional.of(new Thing(t.thingName(), t.hasAttributes() ? t.attributes() : Map.of()));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    private static String blankToNull(String token) {
        return token == null || token.isEmpty() ? null : token;
    }
}
