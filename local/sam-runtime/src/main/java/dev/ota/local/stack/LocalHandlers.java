package dev.ota.local.stack;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ota.function.firmwareregistration.FirmwareRegistrationHandler;
import dev.ota.function.firmwareregistration.FirmwareRegistrationWiring;
import dev.ota.function.jobengine.JobTickHandler;
import dev.ota.function.jobengine.JobWorkerHandler;
import dev.ota.function.jobengine.SchedulerWiring;
import dev.ota.function.managementapi.ManagementApiHandler;
import dev.ota.function.managementapi.ManagementApiWiring;
import dev.ota.function.progressreport.ProgressReportHandler;
import dev.ota.function.progressreport.ProgressReportWiring;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.Environment;
import dev.ota.function.updatedevices.UpdateDevicesHandler;
import dev.ota.function.updatedevices.UpdateDevicesWiring;
import dev.ota.function.versionreport.VersionReportHandler;
import dev.ota.function.versionreport.VersionReportWiring;
import java.time.Clock;
import java.util.Map;

/**
 * Every handler template.yaml may name, built through its function's wiring as Lambda's no-argument
 * constructor builds it, but on the local stack's clients and clock. A new wiring parameter breaks
 * this class at compile time; a handler the template names and this table lacks stops the stack at
 * start-up with its name.
 */
final class LocalHandlers {

    /** How one function's handler is built from its environment, clients and clock. */
    @FunctionalInterface
    interface Factory {
        RequestStreamHandler create(Environment env, AwsClients aws, Clock clock);
    }

    static final Map<String, Factory> BY_CLASS = Map.of(
            VersionReportHandler.class.getName(),
            (env, aws, clock) -> new VersionReportHandler(VersionReportWiring.of(env, aws, clock)),
            ProgressReportHandler.class.getName(),
            (env, aws, clock) -> new ProgressReportHandler(ProgressReportWiring.of(env, aws)),
            UpdateDevicesHandler.class.getName(),
            (env, aws, clock) -> new UpdateDevicesHandler(UpdateDevicesWiring.of(env, aws, clock)),
            FirmwareRegistrationHandler.class.getName(),
            (env, aws, clock) -> new FirmwareRegistrationHandler(FirmwareRegistrationWiring.of(env, aws, clock)),
            ManagementApiHandler.class.getName(),
            (env, aws, clock) -> new ManagementApiHandler(ManagementApiWiring.of(env, aws, clock)),
            JobTickHandler.class.getName(),
            (env, aws, clock) -> new JobTickHandler(SchedulerWiring.of(env, aws, clock, SchedulerWiring.TICK)),
            JobWorkerHandler.class.getName(),
            (env, aws, clock) -> new JobWorkerHandler(SchedulerWiring.of(env, aws, clock, SchedulerWiring.WORKER)));

    private LocalHandlers() {}

    /** @param handlerSpec the template's {@code Handler}: {@code class::method} or a class name */
    static RequestStreamHandler create(
            String logicalId, String handlerSpec, Environment env, AwsClients aws, Clock clock) {
        String className =
                handlerSpec.contains("::") ? handlerSpec.substring(0, handlerSpec.indexOf("::")) : handlerSpec;
        Factory factory = BY_CLASS.get(className);
        if (factory == null) {
            throw new IllegalStateException(logicalId + ": the local stack cannot build handler " + className
                    + "; known: " + BY_CLASS.keySet());
        }
        return factory.create(env, aws, clock);
    }
}
