package dev.ota.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.app.ProgressReportService;
import dev.ota.app.UpdateSender;
import dev.ota.app.VersionReportService;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.Firmware;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceReport;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.RolloutEvent;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.job.WorkMessage;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.Retry;
import dev.ota.port.in.JobOperations.Rollout;
import dev.ota.port.in.JobOperations.Targets;
import dev.ota.port.out.DeviceChannel;
import dev.ota.port.out.RolloutStore.RowView;
import dev.ota.protocol.UpdateFirmwareMessage;
import dev.ota.testing.CountingUrlMinter;
import dev.ota.testing.InMemoryDeviceDirectory;
import dev.ota.testing.InMemoryDeviceListSource;
import dev.ota.testing.InMemoryDeviceStateStore;
import dev.ota.testing.InMemoryFirmwareCatalog;
import dev.ota.testing.InMemoryJobRepository;
import dev.ota.testing.InMemoryRolloutStore;
import dev.ota.testing.InMemoryThingRegistry;
import dev.ota.testing.MutableClock;
import dev.ota.testing.RecordingDeviceChannel;
import dev.ota.testing.RecordingWorkQueue;
import dev.ota.testing.TestLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The job engine and the job operations wired to in-memory ports, with one product {@code p1}
 * whose firmware {@code 2.0.0} is AVAILABLE, and a clock that moves only when a test says so.
 * The device side is played by the real {@link ProgressReportService} and {@link VersionReportService}.
 */
final class EngineFixture {

    static final String PRODUCT = "p1";
    static final String FROM = "1.0.0";
    static final String TARGET = "2.0.0";
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    /**
     * The defaults, but with hour-long time budgets: the engine bounds its loops by wall-clock time
     * (System.nanoTime), and no test should depend on how fast the machine is. Tests that want one
     * batch per message set a zero budget instead.
     */
    static final EngineTuning UNHURRIED = tuning(1000, 200, 100, Duration.ofHours(1), Duration.ofHours(1));

    final MutableClock clock = new MutableClock(T0);
    final InMemoryDeviceStateStore devices = new InMemoryDeviceStateStore();
    final InMemoryJobRepository jobs = new InMemoryJobRepository();
    final InMemoryRolloutStore rollout = new InMemoryRolloutStore(devices, jobs);
    final InMemoryDeviceDirectory directory = new InMemoryDeviceDirectory(devices);
    final InMemoryDeviceListSource lists = new InMemoryDeviceListSource();
    final InMemoryThingRegistry things = new InMemoryThingRegistry();
    final InMemoryFirmwareCatalog catalog = new InMemoryFirmwareCatalog();
    final RecordingDeviceChannel recorded = new RecordingDeviceChannel();
    final HookedChannel channel = new HookedChannel();
    final CountingUrlMinter minter = new CountingUrlMinter();
    final UpdateSender sender = new UpdateSender(minter, channel);
    final RecordingWorkQueue queue = new RecordingWorkQueue();
    final TestLog log = new TestLog("jobs");
    /** What the service announced (job created, resumed, canceled). */
    final List<RolloutEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    final EngineTuning tuning;
    final JobEngine engine;
    final JobService service;
    final ProgressReportService progress;
    final Firmware firmware = new Firmware(
            PRODUCT,
            TARGET,
            "firmware/p1/2.0.0/fw.bin",
            1024,
            "5d41402abc4b2a76b9719d911017c592",
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            "test image",
            T0.minusSeconds(3600));

    EngineFixture() {
        this(UNHURRIED);
    }

    /** The defaults with these batch sizes and time budgets. */
    static EngineTuning tuning(
            int expandBatch, int releaseChunk, int pageSize, Duration workBudget, Duration inlineExpansion) {
        EngineTuning d = EngineTuning.DEFAULTS;
        return new EngineTuning(
                workBudget,
                expandBatch,
                releaseChunk,
                pageSize,
                d.maxPlanned(),
                d.expansionStaleAfter(),
                d.dynamicJobsTtl(),
                inlineExpansion);
    }

    EngineFixture(EngineTuning tuning) {
        this.tuning = tuning;
        catalog.save(firmware);
        engine = new JobEngine(
                jobs, rollout, devices, directory, lists, things, sender, queue, clock, tuning, log.log());
        service = new JobService(
                jobs, rollout, devices, directory, catalog, lists, sender, engine, clock, log.log(), events::add);
        progress = new ProgressReportService(devices, log.log());
    }

    /** The channel the engine sends through, with a hook that runs after the next send. */
    final class HookedChannel implements DeviceChannel {
        private Runnable afterNextSend;

        void afterNextSend(Runnable action) {
            afterNextSend = action;
        }

        @Override
        public void send(DeviceId device, Object message) {
            recorded.send(device, message);
            Runnable action = afterNextSend;
            afterNextSend = null;
            if (action != null) {
                action.run();
            }
        }
    }

    // ---- devices ----

    static DeviceId id(String name) {
        return new DeviceId(PRODUCT, name);
    }

    /** A device that last reported {@code version} a minute before T0. */
    DeviceId device(String name, String version) {
        DeviceId id = id(name);
        devices.put(new DeviceState(id, version, T0.minusSeconds(60), null));
        return id;
    }

    /** {@code n} devices d01..dNN on {@code version}; returns their names. */
    List<String> fleet(int n, String version) {
        List<String> names = IntStream.rangeClosed(1, n)
                .mapToObj(i -> String.format("d%02d", i))
                .toList();
        names.forEach(name -> device(name, version));
        return names;
    }

    DeviceState state(String name) {
        return devices.get(id(name));
    }

    Execution execution(String name) {
        return devices.execution(id(name));
    }

    /** Devices that got update_firmware, in order (a device twice if it got it twice). */
    List<String> updated() {
        return recorded.sent().stream()
                .filter(s -> s.message() instanceof UpdateFirmwareMessage)
                .map(s -> s.device().deviceName())
                .toList();
    }

    /** The device reports done: the update succeeded. */
    void succeed(String... names) {
        for (String name : names) {
            progress.handle(DeviceReport.done(id(name), TARGET, clock.instant()));
        }
    }

    /** The device reports fail with {@code code}. */
    void fail(int code, String... names) {
        for (String name : names) {
            progress.handle(DeviceReport.fail(id(name), TARGET, code, "failed", clock.instant()));
        }
    }

    void downloading(String name, int percent) {
        progress.handle(DeviceReport.downloading(id(name), TARGET, percent, clock.instant()));
    }

    // ---- jobs ----

    static Request request() {
        return new Request();
    }

    /** A request for p1 → 2.0.0; DEVICE_LIST targets unless told otherwise. */
    static final class Request {
        TargetType type = TargetType.DEVICE_LIST;
        List<String> sourceVersions;
        List<String> names;
        String fileKey;
        String thingGroup;
        String fleetQuery;
        boolean dynamic;
        Rollout rollout;
        List<Stage> stages;
        Instant startAt;
        Instant endAt;
        Duration timeout;
        Retry retry;

        Request devices(List<String> deviceNames) {
            type = TargetType.DEVICE_LIST;
            names = deviceNames;
            return this;
        }

        Request devices(String... deviceNames) {
            return devices(List.of(deviceNames));
        }

        /** Targets: the product's devices on these versions. */
        Request onVersions(String... versions) {
            type = TargetType.SOURCE_VERSIONS;
            sourceVersions = List.of(versions);
            return this;
        }

        /** Narrows a device list to devices on these versions. */
        Request onlyFrom(String... versions) {
            sourceVersions = List.of(versions);
            return this;
        }

        Request product() {
            type = TargetType.PRODUCT;
            return this;
        }

        Request file(String key) {
            type = TargetType.DEVICE_LIST_FILE;
            fileKey = key;
            return this;
        }

        Request thingGroup(String group) {
            type = TargetType.THING_GROUP;
            thingGroup = group;
            return this;
        }

        Request fleetQuery(String query) {
            type = TargetType.FLEET_QUERY;
            fleetQuery = query;
            return this;
        }

        Request dynamic() {
            dynamic = true;
            return this;
        }

        Request rate(int perMinute) {
            rollout = new Rollout(perMinute, null, null, null);
            return this;
        }

        Request ramp(int max, int base, double factor, int every) {
            rollout = new Rollout(max, base, factor, every);
            return this;
        }

        Request stages(Stage... groups) {
            stages = List.of(groups);
            return this;
        }

        Request window(Instant start, Instant end) {
            startAt = start;
            endAt = end;
            return this;
        }

        Request timeout(Duration inProgress) {
            timeout = inProgress;
            return this;
        }

        Request retry(int maxAttempts, Duration interval) {
            retry = new Retry(maxAttempts, null, interval);
            return this;
        }

        CreateJob build() {
            return new CreateJob(
                    PRODUCT,
                    TARGET,
                    new Targets(
                            type,
                            sourceVersions,
                            type == TargetType.DEVICE_LIST ? names : null,
                            fileKey,
                            thingGroup,
                            fleetQuery),
                    dynamic,
                    rollout,
                    stages,
                    startAt,
                    endAt,
                    timeout,
                    retry,
                    "test job");
        }
    }

    /** A group of {@code count} devices that pauses at {@code failurePercent} failed (0 = never). */
    static Stage group(int count, int successPercent, int failurePercent, int minFinished, FailureAction onFailure) {
        return new Stage(count, null, successPercent, failurePercent, minFinished, onFailure);
    }

    /** The last group: the rest. */
    static Stage rest() {
        return new Stage(null, null, 0, 0, 0, FailureAction.PAUSE);
    }

    /** Creates the job (it expands inline) and returns its id. */
    String create(Request request) {
        return service.create(request.build()).jobId();
    }

    /** Another job that holds the devices: created and rolled out, their updates in flight. */
    String holderOf(String... names) {
        String holder = create(request().devices(names));
        planAndRun(holder);
        return holder;
    }

    /** A job of the devices that ran its course: rolled out, every device succeeded, COMPLETED. */
    String completedJob(String... names) {
        String job = holderOf(names);
        succeed(names);
        planAndRun(job);
        assertThat(job(job).state()).isEqualTo(JobStatus.COMPLETED);
        return job;
    }

    JobRecord job(String jobId) {
        return jobs.find(jobId).orElseThrow();
    }

    JobCounts counts(String jobId) {
        return jobs.counts(jobId);
    }

    RowView row(String jobId, String name) {
        return rollout.row(jobId, name).orElseThrow();
    }

    // ---- the scheduler ----

    /** Handles one PLAN of the job, and nothing it queues. */
    void plan(String jobId) {
        engine.handle(WorkMessage.plan(jobId));
    }

    /** Plays the worker: handles queued messages, continuations included, until the queue is empty. */
    List<WorkMessage> runQueue() {
        List<WorkMessage> handled = new ArrayList<>();
        WorkMessage m;
        while ((m = queue.poll()) != null) {
            engine.handle(m);
            handled.add(m);
            assertThat(handled).as("the queue keeps going").hasSizeLessThan(10_000);
        }
        return handled;
    }

    /** One PLAN of the job and everything it leads to. */
    List<WorkMessage> planAndRun(String jobId) {
        queue.send(List.of(WorkMessage.plan(jobId)));
        return runQueue();
    }

    /** One scheduler round: the tick and everything it leads to. */
    List<WorkMessage> tickAndRun() {
        engine.tick();
        return runQueue();
    }

    FirmwareRef firmwareRef() {
        return firmware.ref();
    }
}
