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
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobEvent;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.RolloutEvent;
import dev.ota.log.StructuredLog;
import dev.ota.port.in.JobOperations;
import dev.ota.port.out.DeviceDirectory;
import dev.ota.port.out.DeviceListSource;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.FirmwareCatalog;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.JobRepository.TokenHolder;
import dev.ota.port.out.RolloutEvents;
import dev.ota.port.out.RolloutStore;
import dev.ota.port.out.RolloutStore.RowView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Update jobs as operators drive them. Creation checks the request and the firmware, stores the
 * job and expands its targets for a few seconds inline (an inline list always fits); the scheduler
 * ({@link JobEngine}) does everything else. Operations on one job are conditional writes on its
 * state, so they are safe against the scheduler running at the same moment.
 */
public final class JobService implements JobOperations {

    public static final int MAX_PAGE = 1000;
    /** Jobs one page of a device's history looks through at most (newest first); the token goes on from there. */
    public static final int MAX_HISTORY_JOBS_PER_PAGE = 1000;

    /** Jobs per index page a history reads (a BatchGetItem takes 100 keys). */
    private static final int HISTORY_BATCH = 100;

    private static final Set<JobStatus> UPDATABLE =
            EnumSet.of(JobStatus.SCHEDULED, JobStatus.PREPARING, JobStatus.IN_PROGRESS, JobStatus.PAUSED);
    private static final Set<JobStatus> DELETABLE =
            EnumSet.of(JobStatus.COMPLETED, JobStatus.CANCELED, JobStatus.ABORTED);
    private static final Set<JobStatus> CANCELABLE =
            EnumSet.of(JobStatus.SCHEDULED, JobStatus.PREPARING, JobStatus.IN_PROGRESS, JobStatus.PAUSED);

    private final JobRepository jobs;
    private final RolloutStore rollout;
    private final DeviceStateStore devices;
    private final FirmwareCatalog firmware;
    private final DeviceListSource lists;
    private final RolloutEvents events;
    private final DeviceDirectory directory;
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
        this(jobs, rollout, devices, firmware, lists, updates, engine, clock, log, RolloutEvents.NONE);
    }

    public JobService(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            FirmwareCatalog firmware,
            DeviceListSource lists,
            UpdateSender updates,
            JobEngine engine,
            Clock clock,
            StructuredLog log,
            RolloutEvents events) {
        this(jobs, rollout, devices, null, firmware, lists, updates, engine, clock, log, events);
    }

    /** @param directory the product's devices by version (the fleet's version distribution); null: not offered */
    public JobService(
            JobRepository jobs,
            RolloutStore rollout,
            DeviceStateStore devices,
            DeviceDirectory directory,
            FirmwareCatalog firmware,
            DeviceListSource lists,
            UpdateSender updates,
            JobEngine engine,
            Clock clock,
            StructuredLog log,
            RolloutEvents events) {
        this.directory = directory;
        this.events = events;
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
    public JobView create(CreateJob request, String clientToken, String actor) {
        if (clientToken != null && !ClientToken.valid(clientToken)) {
            throw new OperatorException(
                    Code.INVALID_REQUEST,
                    "clientToken must be 1.." + ClientToken.MAX_LENGTH + " letters, digits, '-' or '_'");
        }
        Instant now = clock.instant();
        JobDefinition def = JobDefinitions.from(request, now);
        Firmware target = checked(def);
        String jobId = UUID.randomUUID().toString();
        JobRecord record = JobRecord.created(jobId, def, target.ref(), now, actor);
        if (clientToken == null) {
            jobs.create(record);
        } else {
            String fingerprint = JobDefinitions.fingerprint(def);
            Optional<TokenHolder> held =
                    jobs.create(record, new ClientToken(clientToken, fingerprint, now.plus(ClientToken.VALIDITY)));
            if (held.isPresent()) {
                if (!held.get().requestHash().equals(fingerprint)) {
                    throw new OperatorException(
                            Code.CLIENT_TOKEN_REUSED,
                            "clientToken " + clientToken + " was used for another request (job "
                                    + held.get().jobId()
                                    + ") less than " + ClientToken.VALIDITY.toHours()
                                    + " hours ago; use a new token for a new job");
                }
                log.info("job_create_repeated", "jobId", held.get().jobId(), "clientToken", clientToken);
                return describe(held.get().jobId());
            }
        }
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
                def.stages().size(),
                "by",
                actor);
        events.publish(RolloutEvent.jobCreated(jobId, def.productId(), def.targetVersion(), actor));
        engine.expandInline(jobId);
        return describe(jobId);
    }

    @Override
    public TargetCount countTargets(CreateJob request) {
        JobDefinition def = JobDefinitions.from(request, clock.instant());
        checked(def);
        TargetCount count = engine.countTargets(def);
        log.info(
                "job_targets_counted",
                "productId",
                def.productId(),
                "targets",
                def.targetType(),
                "count",
                count.targets(),
                "complete",
                count.complete());
        return count;
    }

    /** What creation checks beyond the definition itself: the firmware, the device-list file, the fleet's profile. */
    private Firmware checked(JobDefinition def) {
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
        updates.violation(target.ref()).ifPresent(reason -> {
            throw new OperatorException(
                    Code.INVALID_REQUEST,
                    "firmware " + def.targetVersion() + " cannot be sent to this fleet's devices ("
                            + updates.profile().name() + "): " + reason);
        });
        return target;
    }

    @Override
    public JobView update(String jobId, UpdateJob request) {
        for (int race = 0; race < 4; race++) {
            JobRecord job = job(jobId);
            if (job.definition() == null) {
                throw new OperatorException(
                        Code.CONFLICT,
                        "job " + jobId + " was made by the update-devices function and has no rollout to update");
            }
            if (!UPDATABLE.contains(job.state())) {
                throw new OperatorException(
                        Code.JOB_NOT_ACTIVE,
                        "job " + jobId + " is " + job.state() + "; only a job that has not ended can be updated");
            }
            JobDefinition next = JobDefinitions.update(job.definition(), request);
            // Conditional on the definition read: two updates at once cannot lose one another's change.
            if (jobs.update(
                    jobId,
                    JobPatch.patch()
                            .ifStateIn(UPDATABLE)
                            .ifDefinition(job.definition())
                            .definition(next))) {
                log.info(
                        "job_updated",
                        "jobId",
                        jobId,
                        "ratePerMinute",
                        next.rate().maxRatePerMinute(),
                        "inProgressTimeoutSeconds",
                        next.inProgressTimeout().toSeconds(),
                        "maxAttempts",
                        next.retryPolicy().maxAttempts());
                return describe(jobId);
            }
        }
        throw new OperatorException(Code.CONFLICT, "job " + jobId + " kept changing; try again");
    }

    @Override
    public Optional<JobView> delete(String jobId) {
        JobRecord job = job(jobId);
        if (job.state() != JobStatus.DELETION_IN_PROGRESS) {
            JobCounts counts = jobs.counts(jobId);
            long unfinished = counts.get(ExecutionStatus.QUEUED) + counts.live();
            if (!DELETABLE.contains(job.state()) || unfinished > 0) {
                throw new OperatorException(
                        Code.JOB_NOT_FINISHED,
                        "job " + jobId + " is " + job.state()
                                + (unfinished > 0 ? " with " + unfinished + " devices not yet finished" : "")
                                + "; only a finished job (COMPLETED, CANCELED or ABORTED, no device queued or"
                                + " in progress) can be deleted; cancel it first");
            }
            // The job joins the scheduler's live jobs again, so a deletion cut short is finished by its ticks.
            if (!jobs.update(
                    jobId,
                    JobPatch.patch()
                            .ifStateIn(DELETABLE)
                            .state(JobStatus.DELETION_IN_PROGRESS, "deleting its executions, then the job")
                            .live(true)
                            .dynamicActive(false))) {
                JobStatus now = jobs.state(jobId).orElse(null);
                if (now == null) {
                    return Optional.empty();
                }
                if (now != JobStatus.DELETION_IN_PROGRESS) {
                    throw new OperatorException(
                            Code.JOB_NOT_FINISHED, "job " + jobId + " is " + now + "; cannot delete");
                }
            }
            log.info("job_deletion_started", "jobId", jobId, "from", job.state(), "targets", job.targetCount());
        }
        return engine.deleteInline(jobId) ? Optional.empty() : Optional.of(describe(jobId));
    }

    @Override
    public Page<DeviceExecutionView> deviceHistory(String productId, String deviceName, String nextToken, int limit) {
        DeviceId device = deviceId(productId, deviceName);
        pageLimit(limit);
        List<RowView> found = new ArrayList<>();
        String token = nextToken;
        int looked = 0;
        // A job holds at most one row of a device: asking for as many jobs as rows are missing never
        // overshoots the page, so the jobs' own token is the history's.
        do {
            Page<String> ids = jobs.jobIds(productId, token, Math.min(HISTORY_BATCH, limit - found.size()));
            looked += ids.items().size();
            if (!ids.items().isEmpty()) {
                found.addAll(rollout.deviceRows(device.deviceName(), ids.items()));
            }
            token = ids.nextToken();
        } while (token != null && found.size() < limit && looked < MAX_HISTORY_JOBS_PER_PAGE);
        DeviceState state = found.isEmpty() ? null : devices.find(device).orElse(null);
        return new Page<>(found.stream().map(r -> JobViews.row(r, state)).toList(), token);
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
    public JobView pause(String jobId, String actor) {
        JobRecord job = job(jobId);
        if (job.state() == JobStatus.PAUSED) {
            return describe(jobId);
        }
        if (!jobs.update(
                jobId,
                JobPatch.patch()
                        .ifStateIn(JobStatus.SCHEDULED, JobStatus.PREPARING, JobStatus.IN_PROGRESS)
                        .state(JobStatus.PAUSED, "paused by an operator")
                        .pausedByRule(false)
                        .pausedBy(actor)
                        .event(JobEvent.of(JobEvent.Kind.PAUSED, clock.instant(), actor, null), job))) {
            throw notActive(jobId, "pause");
        }
        log.info("job_paused", "jobId", jobId, "by", actor == null ? "operator" : actor);
        events.publish(RolloutEvent.paused(jobId, actor));
        return describe(jobId);
    }

    @Override
    public JobView resume(String jobId, String actor) {
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
                .pausedByRule(false)
                .resumedBy(actor)
                .event(JobEvent.of(JobEvent.Kind.RESUMED, now, actor, "to " + next), job);
        if (job.pausedByRule()) {
            patch.resumedStage(job.currentStage());
        }
        if (!jobs.update(jobId, patch)) {
            throw notActive(jobId, "resume");
        }
        log.info("job_resumed", "jobId", jobId, "state", next, "by", actor);
        events.publish(RolloutEvent.resumed(jobId, actor));
        return describe(jobId);
    }

    @Override
    public JobView cancel(String jobId, String actor) {
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
                        .dynamicActive(false)
                        .canceledBy(actor)
                        .event(JobEvent.of(JobEvent.Kind.CANCELED, clock.instant(), actor, null), job))) {
            throw notActive(jobId, "cancel");
        }
        log.info("job_canceled", "jobId", jobId, "by", actor);
        events.publish(RolloutEvent.canceled(jobId, actor));
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
                    updates.send(device, after);
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
                updates.send(device, after);
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
    public JobHealth health(String jobId) {
        JobRecord job = job(jobId);
        JobCounts counts = jobs.counts(jobId);
        // Failures by result code: the counters keep statuses, not codes, so the FAILED rows are
        // read (byStatus index), at most MAX_FAILURE_ROWS_READ of them.
        Map<Integer, Long> byCode = new TreeMap<>();
        long read = 0;
        String token = null;
        do {
            Page<RowView> page = rollout.rows(
                    jobId, ExecutionStatus.FAILED, token, Math.min(MAX_PAGE, MAX_FAILURE_ROWS_READ - (int) read));
            for (RowView r : page.items()) {
                byCode.merge(r.resultCode(), 1L, Long::sum);
            }
            read += page.items().size();
            token = page.nextToken();
        } while (token != null && read < MAX_FAILURE_ROWS_READ);
        return JobViews.health(job, counts, byCode, read, token == null);
    }

    @Override
    public FleetVersions versions(String productId) {
        deviceId(productId, "x");
        if (directory == null) {
            throw new OperatorException(Code.NOT_FOUND, "the fleet's versions are not available here");
        }
        Map<String, Long> counts = directory.versionCounts(productId);
        long devices = counts.values().stream().mapToLong(Long::longValue).sum();
        return new FleetVersions(productId, counts, devices);
    }

    @Override
    public Recount recount(String jobId, boolean repair) {
        job(jobId);
        JobCounts before = jobs.counts(jobId);
        JobCounts counted = countRows(jobId);
        JobCounts after = jobs.counts(jobId);
        List<String> differences = differences(counted, after);
        boolean repaired = false;
        if (repair && !differences.isEmpty()) {
            if (!sameCounts(before, after)) {
                throw new OperatorException(
                        Code.CONFLICT,
                        "the counters of job " + jobId + " moved during the recount; pause the job (or wait for it"
                                + " to end) and repair again");
            }
            jobs.adjustCounts(jobId, minus(counted, after));
            repaired = true;
        }
        log.info("job_recount", "jobId", jobId, "differences", differences, "repair", repair, "repaired", repaired);
        return new Recount(jobId, counted.ordered(), after.ordered(), differences, repaired);
    }

    /** The job's rows, per status and per group, read page by page (one Query per 1,000 rows). */
    private JobCounts countRows(String jobId) {
        Map<ExecutionStatus, Long> total = new EnumMap<>(ExecutionStatus.class);
        Map<Integer, Map<ExecutionStatus, Long>> byStage = new HashMap<>();
        String token = null;
        do {
            Page<RowView> page = rollout.rows(jobId, null, token, MAX_PAGE);
            for (RowView r : page.items()) {
                total.merge(r.status(), 1L, Long::sum);
                if (JobCounts.inStage(r.status(), r.stage())) {
                    byStage.computeIfAbsent(r.stage(), k -> new EnumMap<>(ExecutionStatus.class))
                            .merge(r.status(), 1L, Long::sum);
                }
            }
            token = page.nextToken();
        } while (token != null);
        return new JobCounts(total, byStage, 0);
    }

    private static List<String> differences(JobCounts rows, JobCounts counters) {
        List<String> out = new ArrayList<>();
        for (ExecutionStatus s : ExecutionStatus.values()) {
            if (rows.get(s) != counters.get(s)) {
                out.add(s + ": counters " + counters.get(s) + ", rows " + rows.get(s));
            }
        }
        SortedSet<Integer> stages = new TreeSet<>(rows.byStage().keySet());
        stages.addAll(counters.byStage().keySet());
        for (int stage : stages) {
            for (ExecutionStatus s : ExecutionStatus.values()) {
                long r = rows.byStage().getOrDefault(stage, Map.of()).getOrDefault(s, 0L);
                long c = counters.byStage().getOrDefault(stage, Map.of()).getOrDefault(s, 0L);
                if (r != c) {
                    out.add("group " + stage + " " + s + ": counters " + c + ", rows " + r);
                }
            }
        }
        return out;
    }

    private static boolean sameCounts(JobCounts a, JobCounts b) {
        return differences(a, b).isEmpty() && a.retries() == b.retries();
    }

    /** {@code a - b}, per status and per group. */
    private static JobCounts minus(JobCounts a, JobCounts b) {
        Map<ExecutionStatus, Long> total = new EnumMap<>(ExecutionStatus.class);
        for (ExecutionStatus s : ExecutionStatus.values()) {
            total.put(s, a.get(s) - b.get(s));
        }
        Map<Integer, Map<ExecutionStatus, Long>> byStage = new HashMap<>();
        Set<Integer> stages = new HashSet<>(a.byStage().keySet());
        stages.addAll(b.byStage().keySet());
        for (int stage : stages) {
            Map<ExecutionStatus, Long> d = new EnumMap<>(ExecutionStatus.class);
            for (ExecutionStatus s : ExecutionStatus.values()) {
                d.put(
                        s,
                        a.byStage().getOrDefault(stage, Map.of()).getOrDefault(s, 0L)
                                - b.byStage().getOrDefault(stage, Map.of()).getOrDefault(s, 0L));
            }
            byStage.put(stage, d);
        }
        return new JobCounts(total, byStage, 0);
    }

    @Override
    public Page<DeviceExecutionView> devices(String jobId, ExecutionStatus status, String nextToken, int limit) {
        JobRecord job = job(jobId);
        // In flight the rows say DELIVERED (ExecutionStatus.recorded); the device items say where each
        // attempt stands, and the list filters on that.
        Page<RowView> page =
                rollout.rows(jobId, status == null ? null : status.recorded(), nextToken, pageLimit(limit));
        List<String> inFlight = page.items().stream()
                .filter(r -> r.status().inFlight())
                .map(RowView::deviceName)
                .toList();
        Map<String, DeviceState> live = inFlight.isEmpty() ? Map.of() : rollout.devices(job.productId(), inFlight);
        List<DeviceExecutionView> views = new ArrayList<>();
        for (RowView r : page.items()) {
            DeviceExecutionView view = JobViews.row(r, live.get(r.deviceName()));
            if (status == null || view.status() == status) {
                views.add(view);
            }
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
