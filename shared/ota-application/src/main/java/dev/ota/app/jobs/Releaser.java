package dev.ota.app.jobs;

import dev.ota.app.UpdateSender;
import dev.ota.app.jobs.ReleasedNow.Reason;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.RolloutMetrics;
import dev.ota.port.out.RolloutStore;
import dev.ota.port.out.RolloutStore.QueuedRef;
import dev.ota.port.out.RolloutStore.ReleaseResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends update_firmware to one planned chunk of queued devices. The device items of the chunk are
 * read in bulk; each device then costs one transaction (device, execution row, counters, and a
 * check that the job is still IN_PROGRESS) and one publish. A device another job holds, or one
 * that already runs the target, is recorded SKIPPED instead: the first job to release a device
 * holds it.
 */
final class Releaser {

    /** The chunk's devices by outcome, in queue order; {@code stopped} when the job stopped being IN_PROGRESS. */
    record Result(List<String> released, Map<String, ReleasedNow.Skip> skipped, int gone, boolean stopped) {}

    private final JobRepository jobs;
    private final RolloutStore rollout;
    private final DeviceStateStore devices;
    private final UpdateSender updates;
    private final Clock clock;
    private final StructuredLog log;
    private final RolloutMetrics metrics;

    Releaser(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            UpdateSender updates,
            Clock clock,
            StructuredLog log) {
        this(jobs, rollout, devices, updates, clock, log, RolloutMetrics.NONE);
    }

    Releaser(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            UpdateSender updates,
            Clock clock,
            StructuredLog log,
            RolloutMetrics metrics) {
        this.metrics = metrics;
        this.jobs = jobs;
        this.rollout = rollout;
        this.devices = devices;
        this.updates = updates;
        this.clock = clock;
        this.log = log;
    }

    Result release(String jobId, int stage, long fromSeq, long toSeq) {
        JobRecord job = jobs.find(jobId).orElse(null);
        if (job == null || job.state() != JobStatus.IN_PROGRESS || job.definition() == null) {
            return new Result(List.of(), Map.of(), 0, true);
        }
        List<QueuedRef> refs = rollout.queuedBetween(jobId, fromSeq, toSeq);
        Map<String, DeviceState> seen = rollout.devices(
                job.productId(), refs.stream().map(QueuedRef::deviceName).toList());
        List<String> released = new ArrayList<>();
        Map<String, ReleasedNow.Skip> skipped = new LinkedHashMap<>();
        int gone = 0;
        for (QueuedRef ref : refs) {
            DeviceId device = new DeviceId(job.productId(), ref.deviceName());
            DeviceState state = seen.get(ref.deviceName());
            Outcome outcome = Outcome.GONE;
            ReleasedNow.Skip skip = null;
            for (int race = 0; race < 3; race++) {
                skip = skipReason(job, state);
                outcome = skip != null ? skip(job, stage, device, skip) : releaseOne(job, stage, device, state);
                if (outcome != Outcome.RACE) {
                    break;
                }
                state = devices.find(device).orElse(null);
            }
            switch (outcome) {
                case RELEASED -> released.add(ref.deviceName());
                case SKIPPED -> skipped.put(ref.deviceName(), skip);
                case STOP -> {
                    log.info(
                            "release_stopped",
                            "jobId",
                            jobId,
                            "reason",
                            "job is no longer IN_PROGRESS",
                            "released",
                            released.size());
                    metrics.devicesReleased(released.size());
                    return new Result(released, skipped, gone, true);
                }
                default -> gone++;
            }
        }
        log.info(
                "release",
                "jobId",
                jobId,
                "stage",
                stage,
                "fromSeq",
                fromSeq,
                "toSeq",
                toSeq,
                "released",
                released.size(),
                "skipped",
                skipped.size(),
                "gone",
                gone);
        metrics.devicesReleased(released.size());
        return new Result(released, skipped, gone, false);
    }

    private enum Outcome {
        RELEASED,
        SKIPPED,
        GONE,
        STOP,
        RACE
    }

    /** Why the device is not to be sent the update, or null when it is; a device this job holds already is "gone" (GONE). */
    private static ReleasedNow.Skip skipReason(JobRecord job, DeviceState state) {
        String target = job.targetVersion();
        if (state != null && state.liveExecution().isPresent()) {
            String holder = state.liveExecution().get().jobId();
            return holder.equals(job.jobId())
                    ? null
                    : new ReleasedNow.Skip(Reason.HELD_BY_ANOTHER_JOB, holder, "held by job " + holder);
        }
        if (state != null && target.equals(state.currentVersion())) {
            return new ReleasedNow.Skip(Reason.ALREADY_ON_TARGET, target, "already runs " + target);
        }
        String version = state == null ? null : state.currentVersion();
        if (job.definition().targetType() != TargetType.SOURCE_VERSIONS
                && !job.definition().acceptsVersion(version)) {
            return new ReleasedNow.Skip(
                    Reason.NOT_ON_A_SOURCE_VERSION,
                    version,
                    (version == null ? "has reported no version" : "runs " + version)
                            + ", not one of the source versions "
                            + job.definition().sourceVersions());
        }
        return null;
    }

    /** Records the device SKIPPED; a device another job holds waits for a dynamic job, as one on the wrong version does. */
    private Outcome skip(JobRecord job, int stage, DeviceId device, ReleasedNow.Skip skip) {
        boolean held = skip.reason() == Reason.HELD_BY_ANOTHER_JOB;
        boolean waits =
                skip.reason() != Reason.ALREADY_ON_TARGET && job.definition().dynamic();
        return rollout.skip(
                        device, job.jobId(), stage, skip.message(), held ? skip.detail() : null, waits, clock.instant())
                ? Outcome.SKIPPED
                : Outcome.GONE;
    }

    private Outcome releaseOne(JobRecord job, int stage, DeviceId device, DeviceState state) {
        Instant now = clock.instant();
        if (state != null
                && state.liveExecution()
                        .filter(e -> e.jobId().equals(job.jobId()))
                        .isPresent()) {
            return Outcome.GONE;
        }
        String from = state == null ? null : state.currentVersion();
        Execution execution = Execution.queued(
                        job.jobId(), job.firmware(), from, job.definition().retryPolicy(), now)
                .planned(stage, job.definition().inProgressTimeout())
                .delivered(now);
        ReleaseResult result = rollout.release(device, execution);
        return switch (result) {
            case RELEASED -> {
                // Sent after the write: if this send is lost, the device's next version report resends.
                updates.send(device, execution);
                yield Outcome.RELEASED;
            }
            case DEVICE_TAKEN -> Outcome.RACE;
            case NOT_QUEUED -> Outcome.GONE;
            case JOB_NOT_ACTIVE -> Outcome.STOP;
        };
    }
}
