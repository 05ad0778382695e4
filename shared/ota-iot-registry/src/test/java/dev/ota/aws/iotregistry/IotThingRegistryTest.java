package dev.ota.aws.iotregistry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.local.standin.MotoServer;
import dev.ota.local.standin.StandInClients;
import dev.ota.port.out.ThingRegistry.Thing;
import dev.ota.port.out.ThingRegistry.ThingGroup;
import dev.ota.port.out.ThingRegistry.ThingPage;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.ThingIndexingMode;

/**
 * The adapter against moto_server's AWS IoT registry: thing groups (DescribeThingGroup,
 * ListThingsInThingGroup), fleet-indexing queries (SearchIndex) and DescribeThing. moto has no
 * dynamic thing groups and does not paginate these calls (see docs/jobs.md); the reader's
 * handling of both is unit-tested with a fake.
 */
class IotThingRegistryTest {

    private static MotoServer moto;
    private static IotClient iot;
    private static IotThingRegistry registry;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        moto = new MotoServer().start();
        iot = StandInClients.iot(moto.endpoint());
        registry = new IotThingRegistry(iot);
        // SearchIndex needs fleet indexing on, as on AWS.
        iot.updateIndexingConfiguration(
                r -> r.thingIndexingConfiguration(c -> c.thingIndexingMode(ThingIndexingMode.REGISTRY)));
    }

    @AfterAll
    static void stop() {
        iot.close();
        moto.close();
    }

    private static void thing(String name, Map<String, String> attributes) {
        iot.createThing(r -> r.thingName(name).attributePayload(a -> a.attributes(attributes)));
    }

    @Test
    void aStaticGroupListsItsThingsWithoutAttributes() {
        String group = "plant-a-" + RUN;
        iot.createThingGroup(r -> r.thingGroupName(group));
        thing("P" + RUN + "::d1", Map.of());
        thing("P" + RUN + "::d2", Map.of());
        thing("P" + RUN + "::outside", Map.of());
        iot.addThingToThingGroup(r -> r.thingGroupName(group).thingName("P" + RUN + "::d1"));
        iot.addThingToThingGroup(r -> r.thingGroupName(group).thingName("P" + RUN + "::d2"));

        assertThat(registry.group(group)).contains(new ThingGroup(group, null, null));
        ThingPage page = registry.members(group, null, 250);
        assertThat(page.things())
                .containsExactlyInAnyOrder(new Thing("P" + RUN + "::d1", null), new Thing("P" + RUN + "::d2", null));
        assertThat(page.next()).isNull();
    }

    @Test
    void aMissingGroupIsEmptyNotAnError() {
        assertThat(registry.group("no-such-group-" + RUN)).isEmpty();
    }

    @Test
    void aFleetQueryFindsThingsWithTheirAttributes() {
        thing("sensor-a-" + RUN, Map.of("productId", "Q" + RUN, "deviceName", "a", "site", "north" + RUN));
        thing("sensor-b-" + RUN, Map.of("productId", "Q" + RUN, "deviceName", "b", "site", "south" + RUN));

        ThingPage page = registry.search(null, "attributes.site:north" + RUN, null, 100);

        assertThat(page.things())
                .containsExactly(new Thing(
                        "sensor-a-" + RUN, Map.of("productId", "Q" + RUN, "deviceName", "a", "site", "north" + RUN)));
    }

    @Test
    void describeThingReadsAttributesAndAMissingThingIsEmpty() {
        thing("legacy-" + RUN, Map.of("productId", "L" + RUN, "deviceName", "old-1"));

        assertThat(registry.thing("legacy-" + RUN))
                .contains(new Thing("legacy-" + RUN, Map.of("productId", "L" + RUN, "deviceName", "old-1")));
        assertThat(registry.thing("nobody-" + RUN)).isEmpty();
    }
}
