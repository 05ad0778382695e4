package dev.ota.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.Page;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.RolloutRate;
import dev.ota.domain.rollout.RolloutWindow;
import dev.ota.port.out.RolloutStore.QueuedDevice;
import dev.ota.port.out.RolloutStore.ReleaseResult;
import dev.ota.port.out.RolloutStore.RowView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The adapters on the shared moto_server tables, and the few steps the tests build their state
 * from: a job in a given state, its QUEUED rows (with the base count expansion writes), a release.
 * Everything goes through the adapters themselves, as the application drives them.
 */
class StoreFixture {

    /** Whole milliseconds: the tables keep epoch millis. */
    static final Instant T0 = Instant.ofEpochMilli(1_760_000_000_000L);

    static final RetryPolicy POLICY = new RetryPolicy(3, Set.of(-1, -3, -4, -5), Duration.ofSeconds(30));

    final DynamoDbClient dynamo;
    final Tables tables = MotoTables.TABLES;
    final DynamoDbDeviceStateStore devices;
    final DynamoDbJobRepository jobs;
    final DynamoDbRolloutStore rollout;
    final DynamoDbFirmwareCatalog firmware;
    final DynamoDbDeviceDirectory directory;

    /** On the shared moto_server. */
    StoreFixture() {
        this(MotoTables.dynamo());
    }

    /** On the moto_server {@code dynamo} talks to (its tables made by {@link MotoTables}). */
    StoreFixture(DynamoDbClient dynamo) {
        this.dynamo = dynamo;
        this.devices = new DynamoDbDeviceStateStore(dynamo, tables);
        this.jobs = new DynamoDbJobRepository(dynamo, tables);
        this.rollout = new DynamoDbRolloutStore(dynamo, tables);
        this.firmware = new DynamoDbFirmwareCatalog(dynamo, tables);
        this.directory = new DynamoDbDeviceDirectory(dynamo, tables);
    }

    static FirmwareRef firmware(String version) {
        return new FirmwareRef(version, "firmware/" + version + ".bin", 4096, "0123456789abcdef0123456789abcdef");
    }

    static JobDefinition definition(String productId, String target, boolean dynamic) {
        return new JobDefinition(
                productId,
                target,
                dynamic ? TargetType.PRODUCT : TargetType.DEVICE_LIST,
                List.of(),
                dynamic ? List.of() : List.of("d1"),
                null,
                dynamic,
                RolloutRate.constant(100),
                List.of(),
                new RolloutWindow(null, null),
                null,
                POLICY,
                "a test job");
    }

    static JobRecord record(
            String jobId, String productId, String target, JobStatus state, boolean dynamic, Instant createdAt) {
        return new JobRecord(
                jobId,
                productId,
                firmware(target),
                definition(productId, target, dynamic),
                state,
                "because",
                0,
                0,
                List.of(),
                false,
                null,
                0,
                null,
                0,
                0,
                null,
                null,
                false,
                -1,
                false,
                false,
                createdAt);
    }

    /** A new static job of a new product, IN_PROGRESS, targeting 2.0.0. */
    JobRecord job() {
        return job(MotoTables.id("P"), JobStatus.IN_PROGRESS, false);
    }

    JobRecord job(String productId, JobStatus state, boolean dynamic) {
        JobRecord job = record(MotoTables.id("job"), productId, "2.0.0", state, dynamic, T0);
        jobs.create(job);
        return job;
    }

    void setState(JobRecord job, JobStatus state) {
        assertThat(jobs.update(job.jobId(), JobPatch.patch().state(state, "set by the test")))
                .isTrue();
    }

    /** QUEUED rows for {@code names} at seq 0.., counted as expansion counts them (base counts on the job item). */
    List<DeviceId> queue(JobRecord job, String... names) {
        List<QueuedDevice> rows = new ArrayList<>();
        List<DeviceId> ids = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            rows.add(new QueuedDevice(names[i], i, "1.0.0"));
            ids.add(new DeviceId(job.productId(), names[i]));
        }
        rollout.putQueued(job.jobId(), job.productId(), job.targetVersion(), 0, rows, T0);
        assertThat(jobs.update(
                        job.jobId(),
                        JobPatch.patch().addExpanded(names.length, 0, 0).seqNext(names.length)))
                .isTrue();
        return ids;
    }

    DeviceId queueOne(JobRecord job) {
        return queue(job, MotoTables.id("d")).get(0);
    }

    /** The execution a release gives the device: its first attempt, in group {@code stage}. */
    static Execution firstAttempt(JobRecord job, int stage, Duration timeout, Instant at) {
        return Execution.queued(job.jobId(), job.firmware(), "1.0.0", POLICY, at)
                .planned(stage, timeout)
                .delivered(at);
    }

    /** Releases the device (it must be free) and returns the execution it holds now. */
    Execution released(JobRecord job, DeviceId device) {
        return released(job, device, 0, null, T0);
    }

    Execution released(JobRecord job, DeviceId device, int stage, Duration timeout, Instant at) {
        Execution execution = firstAttempt(job, stage, timeout, at);
        assertThat(rollout.release(device, execution)).isEqualTo(ReleaseResult.RELEASED);
        return execution;
    }

    /** Moves the device's execution and asserts the move was applied. */
    Execution moved(DeviceId device, Execution before, Execution after) {
        assertThat(devices.transition(device, before, after))
                .as("transition %s -> %s", before.status(), after.status())
                .isTrue();
        return after;
    }

    DeviceState state(DeviceId device) {
        return devices.find(device).orElseThrow();
    }

    RowView row(JobRecord job, DeviceId device) {
        return rollout.row(job.jobId(), device.deviceName()).orElseThrow();
    }

    /** Every row of the job, through the adapter's own paging. */
    List<RowView> allRows(String jobId, ExecutionStatus status) {
        return allRows(jobId, status, 100);
    }

    List<RowView> allRows(String jobId, ExecutionStatus status, int pageSize) {
        List<RowView> rows = new ArrayList<>();
        String token = null;
        do {
            Page<RowView> page = rollout.rows(jobId, status, token, pageSize);
            assertThat(page.items().size()).isLessThanOrEqualTo(pageSize);
            rows.addAll(page.items());
            token = page.nextToken();
        } while (token != null);
        return rows;
    }

    /**
     * The counters' promise: per status, the count is exactly the number of the job's rows in that
     * status, and the byStatus index lists the same rows.
     */
    void assertCountsMatchRows(JobRecord job) {
        JobCounts counts = jobs.counts(job.jobId());
        Map<ExecutionStatus, Long> rows = new EnumMap<>(ExecutionStatus.class);
        for (ExecutionStatus status : ExecutionStatus.values()) {
            rows.put(status, 0L);
        }
        allRows(job.jobId(), null).forEach(r -> rows.merge(r.status(), 1L, Long::sum));
        assertThat(counts.ordered()).as("counts of job %s", job.jobId()).isEqualTo(rows);
        for (ExecutionStatus status : ExecutionStatus.values()) {
            assertThat((long) allRows(job.jobId(), status).size())
                    .as("byStatus %s", status)
                    .isEqualTo(rows.get(status));
        }
    }
}
