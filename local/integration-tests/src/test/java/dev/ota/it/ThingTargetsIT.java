package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.device.ThingName;
import dev.ota.domain.job.JobStatus;
import dev.ota.local.stack.LocalStack;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.ThingIndexingMode;

/**
 * Jobs that target an AWS IoT thing group and a fleet-indexing query, on the local stack: the
 * things live in moto's registry, the job worker reads them as its template role allows (the
 * local IAM checks each call), maps them to the product's devices, and those devices get
 * update_firmware. Things are made as `ota device register` makes them (a thing named by
 * ThingName, attributes productId and deviceName), plus one of an existing estate whose name is
 * no device's but whose attributes are.
 */
class ThingTargetsIT {

    private static LocalStack stack;

    @BeforeAll
    static void fleetIndexingOn() {
        stack = SharedStack.get();
        try (IotClient iot = stack.aws().iot()) {
            // SearchIndex needs fleet indexing on, as on AWS.
            iot.updateIndexingConfiguration(
                    r -> r.thingIndexingConfiguration(c -> c.thingIndexingMode(ThingIndexingMode.REGISTRY)));
        }
    }

    private static void thing(IotClient iot, String thingName, String product, String device, String site) {
        iot.createThing(r -> r.thingName(thingName)
                .attributePayload(a -> a.attributes(Map.of(
                        ThingName.PRODUCT_ATTRIBUTE, product, ThingName.DEVICE_ATTRIBUTE, device, "site", site))));
    }

    @Test
    void aThingGroupJobUpdatesTheGroupsDevices() throws Exception {
        try (JobFixture f = new JobFixture("GRP", stack);
                IotClient iot = stack.aws().iot()) {
            f.firmware("2.0.0");
            for (String d : new String[] {"d1", "d2", "d3"}) {
                f.reportVersion(d, "1.0.0");
            }
            String group = "plant-" + f.product;
            iot.createThingGroup(r -> r.thingGroupName(group));
            thing(iot, ThingName.of(f.product, "d1").value(), f.product, "d1", "a");
            thing(iot, ThingName.of(f.product, "d2").value(), f.product, "d2", "a");
            thing(iot, "legacy-" + f.product, f.product, "d3", "a"); // an estate's own thing name
            iot.addThingToThingGroup(r -> r.thingGroupName(group)
                    .thingName(ThingName.of(f.product, "d1").value()));
            iot.addThingToThingGroup(r -> r.thingGroupName(group).thingName("legacy-" + f.product));

            String jobId = f.create(f.job("2.0.0").thingGroup(group));
            f.tick();
            f.tick();

            assertThat(f.jobs.describe(jobId).targetCount()).isEqualTo(2);
            assertThat(f.updatedDevices()).containsExactlyInAnyOrder("d1", "d3");
            assertThat(stack.queues().deadLetters()).isEmpty();
        }
    }

    @Test
    void aFleetQueryJobUpdatesTheDevicesItFinds() throws Exception {
        try (JobFixture f = new JobFixture("FLQ", stack);
                IotClient iot = stack.aws().iot()) {
            f.firmware("2.0.0");
            for (String d : new String[] {"d1", "d2", "d3"}) {
                f.reportVersion(d, "1.0.0");
                thing(
                        iot,
                        ThingName.of(f.product, d).value(),
                        f.product,
                        d,
                        d.equals("d2") ? "south" : "north" + f.product);
            }

            String jobId = f.create(f.job("2.0.0").fleetQuery("attributes.site:north" + f.product));
            f.tick();
            f.tick();

            assertThat(f.jobs.describe(jobId).targetCount()).isEqualTo(2);
            assertThat(f.updatedDevices()).containsExactlyInAnyOrder("d1", "d3");
        }
    }

    @Test
    void aMissingGroupAbortsTheJobWithTheReason() throws Exception {
        try (JobFixture f = new JobFixture("NOGRP", stack)) {
            f.firmware("2.0.0");
            String jobId = f.create(f.job("2.0.0").thingGroup("no-such-group-" + f.product));
            f.tick();
            f.tick();

            assertThat(f.jobs.describe(jobId).state()).isEqualTo(JobStatus.ABORTED);
            assertThat(f.jobs.describe(jobId).stateReason()).contains("there is no thing group no-such-group-");
        }
    }
}
