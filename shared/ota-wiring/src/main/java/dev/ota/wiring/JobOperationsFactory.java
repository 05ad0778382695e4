package dev.ota.wiring;

import dev.ota.app.jobs.JobService;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Observability;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.port.in.JobOperations;
import dev.ota.port.out.ThingRegistry;
import java.time.Clock;
import java.util.function.Function;

/**
 * {@link JobOperations} for the HTTP API function: build it once per container.
 *
 * <p>What the calling function's role needs is ManagementApiRole's in template.yaml (the local
 * stack enforces it on every call): the job, execution and device items and the indexes the
 * operations query, s3:GetObject on {@code device-lists/*} (read at creation; a missing file
 * answers 403 without s3:ListBucket, which the operations take as missing) and on
 * {@code download-*} (an operator's device retry presigns its URL), iot:Publish on the update
 * topics (that retry sends update_firmware at once). It needs no queue: creation expands targets
 * for a few seconds inline and the scheduler's next tick does the rest.
 */
public final class JobOperationsFactory {

    private JobOperationsFactory() {}

    public static JobOperations create(Settings settings, JobEngineClients clients, Clock clock) {
        return create(settings, clients, clock, log -> Observability.none());
    }

    /** @param observability the function's metrics and events (job created, resumed, canceled; executions retried) */
    public static JobOperations create(
            Settings settings,
            JobEngineClients clients,
            Clock clock,
            Function<StructuredLog, Observability> observability) {
        JobWiring w = new JobWiring(
                settings,
                JobEngineSettings.defaults(),
                clients,
                ThingRegistry.NONE,
                messages -> {
                    throw new IllegalStateException("the HTTP API sends no scheduler work");
                },
                clock,
                "job-api",
                observability);
        return new JobService(
                w.jobs,
                w.rollout,
                w.observedDevices,
                w.directory,
                w.firmware,
                w.lists,
                w.updates,
                w.engine,
                clock,
                w.log,
                w.observability.events());
    }
}
