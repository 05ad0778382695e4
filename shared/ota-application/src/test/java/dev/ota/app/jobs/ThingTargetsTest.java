package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.PRODUCT;
import static dev.ota.app.jobs.EngineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.OperatorException;
import dev.ota.domain.device.ThingName;
import dev.ota.domain.job.JobStatus;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Thing-group and fleet-query targets: read from the registry page by page by the worker (never
 * inline at creation), each thing mapped to the job product's device by its attributes or its
 * name, and what cannot be mapped, a missing group or a refused query said in the job's reason.
 */
class ThingTargetsTest {

    private final EngineFixture f = new EngineFixture(
            EngineFixture.tuning(3, 200, 100, java.time.Duration.ofHours(1), java.time.Duration.ofHours(1)));

    private static String thing(String device) {
        return ThingName.of(PRODUCT, device).value();
    }

    @Test
    void aStaticGroupIsExpandedByTheWorkerInPagesAndItsDevicesUpdated() {
        f.fleet(7, "1.0.0");
        String[] members = IntStream.rangeClosed(1, 7)
                .mapToObj(i -> thing(String.format("d%02d", i)))
                .toArray(String[]::new);
        f.things.group("plant-a", members);

        String jobId = f.create(request().thingGroup("plant-a"));
        assertThat(f.job(jobId).state())
                .as("creation does not read the registry: the management API has no access to it")
                .isEqualTo(JobStatus.PREPARING);
        assertThat(f.things.pages).isZero();

        f.planAndRun(jobId);

        assertThat(f.job(jobId).targetCount()).isEqualTo(7);
        assertThat(f.things.pages).as("pages of at most the expand batch (3)").isEqualTo(3);
        assertThat(f.updated()).containsExactlyInAnyOrder("d01", "d02", "d03", "d04", "d05", "d06", "d07");
    }

    @Test
    void thingsMapToDevicesByAttributesOrNameAndOthersAreInvalid() {
        f.fleet(3, "1.0.0");
        f.things
                .thing(
                        "legacy-sensor-9",
                        Map.of(ThingName.PRODUCT_ATTRIBUTE, PRODUCT, ThingName.DEVICE_ATTRIBUTE, "d03"))
                .thing("other-product", Map.of(ThingName.PRODUCT_ATTRIBUTE, "p2", ThingName.DEVICE_ATTRIBUTE, "d01"))
                .group(
                        "mixed",
                        thing("d01"), // decodes to p1/d01
                        ThingName.of("p2", "d02").value(), // another product's device
                        "legacy-sensor-9", // no device name: its attributes say p1/d03
                        "other-product", // attributes name another product
                        "unknown-thing"); // neither

        String jobId = f.create(request().thingGroup("mixed"));
        f.planAndRun(jobId);

        assertThat(f.updated()).containsExactlyInAnyOrder("d01", "d03");
        assertThat(f.job(jobId).stateReason()).contains("2 targets").contains("3 invalid");
        assertThat(f.things.describeThingCalls)
                .as("only things listed without attributes whose names are no device's")
                .isEqualTo(3);
    }

    @Test
    void aDynamicGroupIsTheThingsItsQueryFinds() {
        f.fleet(4, "1.0.0");
        f.things
                .thing(thing("d02"), Map.of("site", "north"))
                .thing(thing("d04"), Map.of("site", "north"))
                .dynamicGroup("north", "attributes.site:north")
                .query("attributes.site:north", thing("d02"), thing("d04"));

        String jobId = f.create(request().thingGroup("north"));
        f.planAndRun(jobId);

        assertThat(f.updated()).containsExactlyInAnyOrder("d02", "d04");
    }

    @Test
    void aFleetQueryTargetsTheThingsItFinds() {
        f.fleet(3, "1.0.0");
        f.things
                .thing(thing("d01"), Map.of("batch", "7"))
                .thing(thing("d03"), Map.of("batch", "7"))
                .query("attributes.batch:7", thing("d01"), thing("d03"));

        String jobId = f.create(request().fleetQuery("attributes.batch:7"));
        f.planAndRun(jobId);

        assertThat(f.updated()).containsExactlyInAnyOrder("d01", "d03");
        assertThat(f.job(jobId).definition().fleetQuery()).isEqualTo("attributes.batch:7");
    }

    @Test
    void aMissingGroupOrARefusedQueryEndsTheJobWithTheReason() {
        String missing = f.create(request().thingGroup("nobody"));
        f.planAndRun(missing);
        assertThat(f.job(missing).targetCount()).isZero();
        assertThat(f.job(missing).state()).isEqualTo(JobStatus.ABORTED);
        assertThat(f.job(missing).stateReason()).isEqualTo("no targets: there is no thing group nobody");

        f.things.refuse("thingName:(", "Syntax error in query");
        String refused = f.create(request().fleetQuery("thingName:("));
        f.planAndRun(refused);
        assertThat(f.job(refused).state()).isEqualTo(JobStatus.ABORTED);
        assertThat(f.job(refused).stateReason()).contains("AWS IoT refused the query: Syntax error in query");
        assertThat(f.updated()).isEmpty();
    }

    @Test
    void badGroupNamesQueriesAndDynamicAreRejectedAtCreation() {
        for (String bad : List.of("", "has space", "a/b", "x".repeat(129))) {
            assertThatThrownBy(() -> f.create(request().thingGroup(bad)))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("thingGroupName");
        }
        assertThatThrownBy(() -> f.create(request().fleetQuery(" ")))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("fleetQuery");
        assertThatThrownBy(() -> f.create(request().fleetQuery("x".repeat(1025))))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("1..1024");
        assertThatThrownBy(() -> f.create(request().fleetQuery("thingName:*x " + "y".repeat(100))))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("leading wildcard");
        assertThatThrownBy(() -> f.create(request().thingGroup("plant-a").dynamic()))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("cannot be dynamic");
        assertThat(f.jobs.list(null, null, 100).items()).isEmpty();
    }
}
