package dev.ota.app;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.Firmware;
import dev.ota.domain.Job;
import dev.ota.domain.job.JobStatus;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.FirmwareCatalog;
import dev.ota.port.out.JobStore;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.InvalidMessageException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Creates a job for a list of devices and sends each one update_firmware. A device holds one live
 * execution at a time: a device already updating for another job is skipped, with the reason.
 */
public final class UpdateDevicesService {

    private final FirmwareCatalog firmware;
    private final JobStore jobs;
    private final DeviceStateStore devices;
    private final UpdateSender updates;
    private final Clock clock;
    private final StructuredLog log;

    public UpdateDevicesService(FirmwareCatalog firmware, JobStore jobs, DeviceStateStore devices, UpdateSender updates, Clock clock, StructuredLog log) {
        this.firmware = firmware;
        this.jobs = jobs;
        this.devices = devices;
        this.updates = updates;
        this.clock = clock;
        this.log = log;
    }

    public UpdateDevicesResult update(UpdateDevicesRequest request) {
        Firmware target = firmware.find(request.productId(), request.version())
                .filter(Firmware::available)
                .orElseThrow(() -> new InvalidMessageException(
                        "firmware " + request.version() + " of product " + request.productId() + " is not registered and available"));
        Instant now = clock.instant();
        Job job = new Job(UUID.randomUUID().toString(), request.productId(), target.ref(), request.retryPolicy(),
                JobStatus.IN_PROGRESS, request.deviceNames().size(), now);
        jobs.create(job);

        List<String> delivered = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (String name : request.deviceNames()) {
            DeviceId device = new DeviceId(request.productId(), name);
            Optional<DeviceState> state = devices.find(device);
            String current = state.map(DeviceState::currentVersion).orElse(null);
            Optional<Execution> live = state.flatMap(DeviceState::liveExecution);
            if (live.isPresent()) {
                skipped.put(name, "busy with job " + live.get().jobId());
                continue;
            }
            if (target.version().equals(current)) {
                skipped.put(name, "already on " + current);
                continue;
            }
            Execution execution = Execution.queued(job.jobId(), target.ref(), current, request.retryPolicy(), now).delivered(now);
            if (!devices.assign(device, execution)) {
                skipped.put(name, "busy with another job");
                continue;
            }
            // Sent after the write: if this send is lost, the device's next version report resends.
            updates.send(device, target.ref());
            delivered.add(name);
        }
        log.info("update_devices", "jobId", job.jobId(), "productId", request.productId(), "version", request.version(),
                "delivered", delivered.size(), "skipped", skipped.size());
        return new UpdateDevicesResult(job.jobId(), target.version(), delivered, skipped);
    }
}
