package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.aws.eventbridge.EventBridgeRolloutEvents;
import dev.ota.function.managementapi.ManagementApiWiring;
import dev.ota.function.progressreport.ProgressReportWiring;
import dev.ota.function.support.Environment;
import dev.ota.function.support.Observability;
import dev.ota.function.updatedevices.UpdateDevicesWiring;
import dev.ota.function.versionreport.VersionReportWiring;
import dev.ota.local.iam.LocalIam;
import dev.ota.local.iam.Permission;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.template.SamTemplate;
import dev.ota.port.out.RolloutEvents;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each function's composition root wires events (an EventBridge publisher) exactly when its role in
 * template.yaml may put them on the stack's bus: a function that publishes without
 * {@code events:PutEvents} loses its events on AWS (they are logged, never thrown), and one that
 * publishes none needs no such grant. update-devices ends no job or execution, so it publishes none.
 */
class EventPermissionsIT {

    @Test
    void aFunctionPublishesEventsExactlyWhenItsRoleMayPutThem() {
        try (LocalStack stack = LocalStack.start()) {
            LocalIam iam = stack.iam();
            String busArn = "arn:aws:events:" + iam.deployment().region() + ":"
                    + iam.deployment().accountId() + ":event-bus/" + stack.parameter("EventBusName");
            Map<String, Observability> wired = new LinkedHashMap<>();
            wired.put(
                    "VersionReportFunction",
                    VersionReportWiring.of(
                                    env(stack, "VersionReportFunction"),
                                    stack.clientsOf("VersionReportFunction"),
                                    Clock.systemUTC())
                            .observability());
            wired.put(
                    "ProgressReportFunction",
                    ProgressReportWiring.of(
                                    env(stack, "ProgressReportFunction"), stack.clientsOf("ProgressReportFunction"))
                            .observability());
            wired.put(
                    "UpdateDevicesFunction",
                    UpdateDevicesWiring.of(
                                    env(stack, "UpdateDevicesFunction"),
                                    stack.clientsOf("UpdateDevicesFunction"),
                                    Clock.systemUTC())
                            .observability());
            wired.put(
                    "ManagementApiFunction",
                    ManagementApiWiring.of(
                                    env(stack, "ManagementApiFunction"),
                                    stack.clientsOf("ManagementApiFunction"),
                                    Clock.systemUTC())
                            .observability());

            assertThat(wired.get("UpdateDevicesFunction").events())
                    .as("update-devices publishes no events")
                    .isSameAs(RolloutEvents.NONE);
            wired.forEach((function, observability) -> {
                boolean publishes = observability.events() instanceof EventBridgeRolloutEvents;
                boolean mayPut = iam.evaluate(iam.role(function), new Permission("events:PutEvents", busArn))
                        .allowed();
                assertThat(mayPut)
                        .as(
                                "%s %s events; its role %s events:PutEvents on %s",
                                function,
                                publishes ? "publishes" : "publishes no",
                                mayPut ? "allows" : "does not allow",
                                busArn)
                        .isEqualTo(publishes);
            });
        }
    }

    /** The function's environment as the local stack gives it (the template's, with the stand-ins' endpoints). */
    private static Environment env(LocalStack stack, String function) {
        SamTemplate.FunctionSpec spec = stack.template().functions().stream()
                .filter(f -> f.logicalId().equals(function))
                .findFirst()
                .orElseThrow();
        Map<String, String> env = new LinkedHashMap<>(spec.environment());
        env.put("FIRMWARE_BUCKET", stack.bucket());
        env.put("IOT_DATA_ENDPOINT", stack.aws().iotDataEndpoint().toString());
        return Environment.of(env);
    }
}
