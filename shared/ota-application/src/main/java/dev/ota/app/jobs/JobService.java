package dev.ota.app.jobs;

import dev.ota.app.UpdateSender;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.Firmware;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.OperatorException;
import dev.ota.domain.OperatorException.Code;
import dev.ota.domain.Page;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.log.StructuredLog;
import dev.ota.port.in.JobOperations;
import dev.ota.port.out.DeviceListSource;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.FirmwareCatalog;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.RolloutStore;
import dev.ota.port.out.RolloutStore.RowView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Update jobs as operators drive them. Creation checks the request and the firmware, stores the
 * job and expands its targets for a few seconds inline (an inline list always fits); the scheduler
 * ({@link JobEngine}) does everything else. Operations on one job are conditional writes on its
 * state, so they are safe against the scheduler running at the same moment.
 */
public final class JobService implements JobOperations {

    public static final int MAX_PAGE = 1000;
    private static final Set<JobStatus> CANCELABLE =
            EnumSet.of(JobStatus.SCHEDULED, JobStatus.PREPARING, JobStatus.IN_PROGRESS, JobStatus.PAUSED);

    private final JobRepository jobs;
    private final RolloutStore rollout;
    private final DeviceStateStore devices;
    private final FirmwareCatalog firmware;
    private final DeviceListSource lists;
    private final UpdateSender updates;
    private final JobEngine engine;
    private final Clock clock;
    private final StructuredLog log;

    public JobService(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            FirmwareCatalog firmware,
            DeviceListSource lists,
            UpdateSender updates,
            JobEngine engine,
            Clock clock,
            StructuredLog log) {
        this.jobs = jobs;
        this.rollout = rollout;
        this.devices = devices;
        this.firmware = firmware;
        this.lists = lists;
        this.updates = updates;
        this.engine = engine;
        this.clock = clock;
        this.log = log;
    }

    @Override
    public JobView create(CreateJob request) {
        Instant now = clock.instant();
        JobDefinition def = JobDefinitions.from(request, now);
        Firmware target = firmware.find(def.productId(), def.targetVersion())
                .orElseThrow(() -> new OperatorException(
                        Code.FIRMWARE_NOT_AVAILABLE,
                        "firmware " + def.targetVersion() + " of product " + def.productId()
                                + " is not in the catalogue"));
        if (!target.available()) {
            throw new OperatorException(
                    Code.FIRMWARE_NOT_AVAILABLE,
                    "firmware " + def.targetVersion() + " of product " + def.productId()
                            + " is " + target.status()
                            + (target.rejectionReason() == null ? "" : " (" + target.rejectionReason() + ")")
                            + "; only AVAILABLE firmware can be rolled out");
        }
        if (def.deviceListS3Key() != null && lists.size(def.deviceListS3Key()) < 0) {
            throw new OperatorException(
                    Code.INVALID_REQUEST, "no device-list file " + def.deviceListS3Key() + " in the firmware bucket");
        }
        String jobId = UUID.randomUUID().toString();
        jobs.create(JobRecord.created(jobId, def, target.ref(), now));
        log.info(
                "job_created",
                "jobId",
                jobId,
                "productId",
                def.productId(),
                "targetVersion",
                def.targetVersion(),
                "targets",
                def.targetType(),
                "dynamic",
                def.dynamic(),
                "ratePerMinute",
                def.rate().maxRatePerMinute(),
                "stages",
                def.stages().size());
        engine.expandInline(jobId);
        return describe(jobId);
    }

    @Override
    public JobView describe(String jobId) {
        JobRecord job = job(jobId);
        return JobViews.job(job, jobs.counts(jobId));
    }

    @Override
    public Page<JobView> list(String productId, String nextToken, int limit) {
        if (productId != null) {
            try {
                new DeviceId(productId, "x");
            } catch (InvalidMessageException e) {
                throw new OperatorException(Code.INVALID_REQUEST, e.getMessage());
            }
        }
        Page<JobRecord> page = jobs.list(productId, nextToken, pageLimit(limit));
        Map<String, JobCounts> counts =
                jobs.counts(page.items().stream().map(JobRecord::jobId).toList());
        return new Page<>(
                page.items().stream()
                        .map(j -> JobViews.job(j, counts.get(j.jobId())))
                        .toList(),
                page.nextToken());
    }

    @Override
    public JobView pause(String jobId) {
        JobRecord job = job(jobId);
        if (job.state() == JobStatus.PAUSED) {
            return describe(jobId);
        }
        if (!jobs.update(
                jobId,
                JobPatch.patch()
                        .ifStateIn(JobStatus.SCHEDULED, JobStatus.PREPARING, JobStatus.IN_PROGRESS)
                        .state(JobStatus.PAUSED, "paused by an operator")
                        .pausedByRule(false))) {
            throw notActive(jobId, "pause");
        }
        log.info("job_paused", "jobId", jobId, "by", "operator");
        return describe(jobId);
    }

    @Override
    public JobView resume(String jobId) {
        JobRecord job = job(jobId);
        if (job.state() != JobStatus.PAUSED) {
            if (job.state() == JobStatus.IN_PROGRESS
                    || job.state() == JobStatus.SCHEDULED
                    || job.state() == JobStatus.PREPARING) {
                return describe(jobId);
            }
            throw notActive(jobId, "resume");
        }
        Instant now = clock.instant();
        JobStatus next = !job.expanded()
                ? JobStatus.PREPARING
                : job.definition() != null && !job.definition().window().started(now)
                        ? JobStatus.SCHEDULED
                        : JobStatus.IN_PROGRESS;
        JobPatch patch = JobPatch.patch()
                .ifStateIn(JobStatus.PAUSED)
                .state(next, "resumed by an operator")
                .pausedByRule(false);
        if (job.pausedByRule()) {
            patch.resumedStage(job.currentStage());
        }
        if (!jobs.update(jobId, patch)) {
            throw notActive(jobId, "resume");
        }
        log.info("job_resumed", "jobId", jobId, "state", next);
        return describe(jobId);
    }

    @Override
    public JobView cancel(String jobId) {
        JobRecord job = job(jobId);
        if (job.state() == JobStatus.CANCELED) {
            return describe(jobId);
        }
        // One conditional write: from here on every release, retry and resend of this job is refused
        // (they check the state in their own transaction or right before sending).
        if (!jobs.update(
                jobId,
                JobPatch.patch()
                        .ifStateIn(CANCELABLE)
                        .state(JobStatus.CANCELED, "canceled by an operator")
                        .dynamicActive(false))) {
            throw notActive(jobId, "cancel");
        }
        log.info("job_canceled", "jobId", jobId);
        return describe(jobId);
    }

    @Override
    public DeviceExecutionView cancelDevice(String jobId, String deviceName) {
        JobRecord job = job(jobId);
        DeviceId device = deviceId(job.productId(), deviceName);
        Instant now = clock.instant();
        for (int race = 0; race < 4; race++) {
            RowView row = row(jobId, deviceName);
            if (row.status().terminal()) {
                throw new OperatorException(
                        Code.CONFLICT, "device " + deviceName + " is already " + row.status() + " in job " + jobId);
            }
            if (row.status() == ExecutionStatus.QUEUED) {
                if (rollout.cancelQueued(device, jobId, "canceled by an operator", now)) {
                    return deviceView(jobId, deviceName);
                }
                continue;
            }
            DeviceState state = devices.find(device).orElse(null);
            Execution exec = state == null ? null : state.liveExecution().orElse(null);
            if (exec != null
                    && exec.jobId().equals(jobId)
                    && devices.transition(
                            device, exec, ExecutionStateMachine.cancel(exec, now, "canceled by an operator"))) {
                log.info("device_canceled", "jobId", jobId, "device", device.key());
                return deviceView(jobId, deviceName);
            }
        }
        throw new OperatorException(Code.CONFLICT, "device " + deviceName + " kept changing; try again");
    }

    @Override
    public DeviceExecutionView retryDevice(String jobId, String deviceName) {
        JobRecord job = job(jobId);
        if (job.state() != JobStatus.IN_PROGRESS) {
            throw new OperatorException(
                    Code.JOB_NOT_ACTIVE,
                    "job " + jobId + " is " + job.state() + "; devices are retried only while it is IN_PROGRESS");
        }
        DeviceId device = deviceId(job.productId(), deviceName);
        for (int race = 0; race < 4; race++) {
            Instant now = clock.instant();
            RowView row = row(jobId, deviceName);
            if (row.status() == ExecutionStatus.SUCCEEDED) {
                throw new OperatorException(
                        Code.CONFLICT, "device " + deviceName + " already SUCCEEDED in job " + jobId);
            }
            DeviceState state = devices.find(device).orElse(null);
            Execution live = state == null ? null : state.liveExecution().orElse(null);
            if (live != null && !live.jobId().equals(jobId)) {
                throw new OperatorException(
                        Code.CONFLICT, "device " + deviceName + " is updating for job " + live.jobId());
            }
            if (live != null) {
                Execution after = live.restarted(now);
                if (devices.transition(device, live, after)) {
                    updates.send(device, after.firmware());
                    log.info("device_retried", "jobId", jobId, "device", device.key(), "from", live.status());
                    return deviceView(jobId, deviceName);
                }
                continue;
            }
            if (state != null && job.targetVersion().equals(state.currentVersion())) {
                throw new OperatorException(
                        Code.CONFLICT, "device " + deviceName + " already runs " + job.targetVersion());
            }
            if (job.definition() == null) {
                // A job item written before the update-devices function made its jobs through the engine.
                throw new OperatorException(
                        Code.CONFLICT,
                        "job " + jobId + " was made by the update-devices function and has no rollout to retry in");
            }
            // A device in no group yet (queued, or canceled while queued) joins the current one, as a release would put
            // it.
            int stage = JobCounts.inStage(row.status(), row.stage()) ? row.stage() : job.currentStage();
            Execution after = Execution.queued(
                            jobId,
                            job.firmware(),
                            state == null ? null : state.currentVersion(),
                            job.definition().retryPolicy(),
                            now)
                    .planned(stage, job.definition().inProgressTimeout())
                    .restarted(now);
            if (rollout.restart(device, row, after)) {
                updates.send(device, after.firmware());
                log.info("device_retried", "jobId", jobId, "device", device.key(), "from", row.status());
                return deviceView(jobId, deviceName);
            }
        }
        throw new OperatorException(
                Code.CONFLICT, "device " + deviceName + " kept changing, or the job stopped; try again");
    }

    @Override
    public JobStatistics statistics(String jobId) {
        JobRecord job = job(jobId);
        return JobViews.statistics(job, jobs.counts(jobId));
    }

    @Override
    public Page<DeviceExecutionView> devices(String jobId, ExecutionStatus status, String nextToken, int limit) {
        JobRecord job = job(jobId);
        Page<RowView> page = rollout.rows(jobId, status, nextToken, pageLimit(limit));
        List<String> downloading = page.items().stream()
                .filter(r -> r.status() == ExecutionStatus.DOWNLOADING)
                .map(RowView::deviceName)
                .toList();
        Map<String, DeviceState> live =
                downloading.isEmpty() ? Map.of() : rollout.devices(job.productId(), downloading);
        List<DeviceExecutionView> views = new ArrayList<>();
        for (RowView r : page.items()) {
            views.add(JobViews.row(r, live.get(r.deviceName())));
        }
        return new Page<>(views, page.nextToken());
    }

    @Override
    public DeviceView device(String productId, String deviceName) {
        DeviceId device = deviceId(productId, deviceName);
        DeviceState state = devices.find(device)
                .orElseThrow(() ->
                        new OperatorException(Code.NOT_FOUND, "no device " + deviceName + " of product " + productId));
        return JobViews.device(state);
    }

    // ---- helpers ----

    private JobRecord job(String jobId) {
        if (jobId == null || jobId.isBlank() || jobId.length() > 64 || jobId.contains("#")) {
            throw new OperatorException(Code.NOT_FOUND, "no job " + jobId);
        }
        return jobs.find(jobId).orElseThrow(() -> new OperatorException(Code.NOT_FOUND, "no job " + jobId));
    }

    private RowView row(String jobId, String deviceName) {
        return rollout.row(jobId, deviceName)
                .orElseThrow(() -> new OperatorException(
                        Code.NOT_FOUND, "device " + deviceName + " is not a target of job " + jobId));
    }

    private DeviceExecutionView deviceView(String jobId, String deviceName) {
        RowView r = row(jobId, deviceName);
        return JobViews.row(r, null);
    }

    private static DeviceId deviceId(String productId, String deviceName) {
        try {
            return new DeviceId(productId, deviceName);
        } catch (InvalidMessageException e) {
            throw new OperatorException(Code.INVALID_REQUEST, e.getMessage());
        }
    }

    private OperatorException notActive(String jobId, String action) {
        Optional<JobStatus> state = jobs.state(jobId);
        return new OperatorException(
                Code.JOB_NOT_ACTIVE,
                "job " + jobId + " is " + state.map(Enum::name).orElse("gone") + "; cannot " + action);
    }

    private static int pageLimit(int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new OperatorException(Code.INVALID_REQUEST, "limit must be 1.." + MAX_PAGE);
        }
        return limit;
    }
}
