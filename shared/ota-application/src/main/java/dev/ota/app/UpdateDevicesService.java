package dev.ota.app;

import dev.ota.app.jobs.JobDefinitions;
import dev.ota.app.jobs.JobEngine;
import dev.ota.app.jobs.ReleasedNow;
import dev.ota.domain.Firmware;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobRecord;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.FirmwareCatalog;
import dev.ota.port.out.JobRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * "Update these devices now": a job of the job engine for the listed devices (a static DEVICE_LIST
 * job with the request's retry policy and the engine's defaults for the rest), expanded and released
 * within this call ({@link JobEngine#rollOutNow}), so every device that can take the update gets
 * update_firmware before the answer. From then on it is a job like any other: listed, described,
 * paused, canceled, timed out and completed by the scheduler.
 *
 * <p>A device holds one live execution at a time: a device already updating for another job, or
 * already on the target, is skipped with the reason (its execution row in the job says SKIPPED).
 */
public final class UpdateDevicesService {

    /** The jobs' description, which tells them apart in listings. */
    public static final String DESCRIPTION = "update-devices function";

    private final FirmwareCatalog firmware;
    private final JobRepository jobs;
    private final JobEngine engine;
    private final Clock clock;
    private final StructuredLog log;

    public UpdateDevicesService(
            FirmwareCatalog firmware, JobRepository jobs, JobEngine engine, Clock clock, StructuredLog log) {
        this.firmware = firmware;
        this.jobs = jobs;
        this.engine = engine;
        this.clock = clock;
        this.log = log;
    }

    /**
     * Warms the request path for a SnapStart snapshot: the firmware read and the job read of the
     * call, for a product and job no one has. Reads only; nothing written, nothing sent.
     */
    public void prime() {
        firmware.find(Priming.DEVICE.productId(), Priming.FIRMWARE.version());
        jobs.find(Priming.DEVICE.productId());
    }

    public UpdateDevicesResult update(UpdateDevicesRequest request) {
        Firmware target = firmware.find(request.productId(), request.version())
                .filter(Firmware::available)
                .orElseThrow(() -> new InvalidMessageException("firmware " + request.version() + " of product "
                        + request.productId() + " is not registered and available"));
        engine.updateViolation(target.ref()).ifPresent(reason -> {
            throw new InvalidMessageException(
                    "firmware " + target.version() + " cannot be sent to this fleet's devices: " + reason);
        });
        Instant now = clock.instant();
        List<String> names = request.deviceNames();
        // A request may list more devices than fit on the job item (DynamoDB's 400 KB); then the
        // Executions rows written now are the list.
        boolean kept = names.size() <= JobDefinition.MAX_INLINE_DEVICES;
        JobDefinition definition = JobDefinitions.deviceList(
                request.productId(), target.version(), kept ? names : List.of(), request.retryPolicy(), DESCRIPTION);
        String jobId = UUID.randomUUID().toString();
        jobs.create(JobRecord.created(jobId, definition, target.ref(), now));
        ReleasedNow released = engine.rollOutNow(jobId, kept ? null : names);

        List<String> delivered = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        Set<String> sent = new HashSet<>(released.delivered());
        for (String name : names) {
            ReleasedNow.Skip skip = released.skipped().get(name);
            if (skip != null) {
                skipped.put(name, reason(skip));
            } else if (sent.contains(name)) {
                delivered.add(name);
            } else {
                skipped.put(name, "queued: the scheduler sends it at its next tick");
            }
        }
        log.info(
                "update_devices",
                "jobId",
                jobId,
                "productId",
                request.productId(),
                "version",
                request.version(),
                "delivered",
                delivered.size(),
                "skipped",
                skipped.size());
        return new UpdateDevicesResult(jobId, target.version(), delivered, skipped);
    }

    /** The function's own wording of the rollout's reasons. */
    private static String reason(ReleasedNow.Skip skip) {
        return switch (skip.reason()) {
            case HELD_BY_ANOTHER_JOB -> "busy with job " + skip.detail();
            case ALREADY_ON_TARGET -> "already on " + skip.detail();
            case NOT_ON_A_SOURCE_VERSION -> skip.message();
        };
    }
}
