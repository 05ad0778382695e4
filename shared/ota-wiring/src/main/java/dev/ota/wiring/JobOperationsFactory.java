package dev.ota.wiring;

import dev.ota.app.jobs.JobService;
import dev.ota.port.in.JobOperations;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Settings;
import java.time.Clock;

/**
 * {@link JobOperations} for the HTTP API function: build it once per container.
 *
 * <p>What the calling function's role needs: on JobsTable, ExecutionsTable and DevicesTable (and
 * their indexes; listing without a product queries JobsTable's byCreated index) GetItem, Query, PutItem,
 * UpdateItem, ConditionCheckItem, BatchGetItem, BatchWriteItem; GetItem on FirmwareTable;
 * s3:GetObject on {@code firmware/*} (presigning an operator's device retry) and
 * {@code device-lists/*} in the firmware bucket (HeadObject of a device-list file needs
 * s3:GetObject; add s3:ListBucket to get 404 rather than 403 for a missing one); iot:Publish on the
 * update topics (an operator's device retry sends update_firmware at once). It needs no queue:
 * creation expands targets for a few seconds inline and the scheduler's next tick does the rest.
 */
public final class JobOperationsFactory {

    private JobOperationsFactory() {}

    public static JobOperations create(Settings settings, JobEngineClients clients, Clock clock) {
        JobWiring w = new JobWiring(settings, JobEngineSettings.defaults(), clients, messages -> {
            throw new IllegalStateException("the HTTP API sends no scheduler work");
        }, clock, "job-api");
        return new JobService(w.jobs, w.rollout, w.devices, w.firmware, w.lists, w.updates, w.engine, clock, w.log);
    }
}
