package dev.ota.testing;

import dev.ota.app.ProgressReportService;
import dev.ota.app.UpdateDevicesRequest;
import dev.ota.app.UpdateDevicesResult;
import dev.ota.app.UpdateDevicesService;
import dev.ota.app.UpdateSender;
import dev.ota.app.VersionReportService;
import dev.ota.app.jobs.EngineTuning;
import dev.ota.app.jobs.JobEngine;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.Firmware;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.WorkMessage;
import dev.ota.port.out.DeviceListSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The application services wired to in-memory ports, with one registered firmware:
 * product {@code p1}, version {@code 1.1.0}.
 */
public final class OtaFixture {

    public static final String PRODUCT = "p1";
    public static final String FROM = "1.0.0";
    public static final String TARGET = "1.1.0";
    public static final String TARGET_MD5 = "5d41402abc4b2a76b9719d911017c592";
    public static final long TARGET_SIZE = 175436;
    /** The service clock: jobs are created and first delivered at this instant. */
    public static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    public final InMemoryDeviceStateStore store = new InMemoryDeviceStateStore();
    public final InMemoryJobRepository jobs = new InMemoryJobRepository();
    public final InMemoryRolloutStore rollout = new InMemoryRolloutStore(store, jobs);
    public final InMemoryFirmwareCatalog catalog = new InMemoryFirmwareCatalog();
    public final RecordingDeviceChannel channel = new RecordingDeviceChannel();
    public final CountingUrlMinter minter = new CountingUrlMinter();
    public final TestLog log = new TestLog("test");
    public final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    public final UpdateSender sender = new UpdateSender(minter, channel);
    public final Firmware firmware = new Firmware(
            PRODUCT,
            TARGET,
            "firmware/p1/1.1.0/fw.bin",
            TARGET_SIZE,
            TARGET_MD5,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            "test image",
            NOW.minusSeconds(3600));

    public final VersionReportService versions = new VersionReportService(store, channel, sender, log.log());
    public final ProgressReportService progress = new ProgressReportService(store, log.log());
    /** What the engine put on its work queue (rolling a job out now puts nothing there). */
    public final List<WorkMessage> queued = new ArrayList<>();

    public final JobEngine engine = new JobEngine(
            jobs,
            rollout,
            store,
            new InMemoryDeviceDirectory(store),
            DeviceListSource.NONE,
            sender,
            queued::addAll,
            clock,
            EngineTuning.DEFAULTS,
            log.log());
    public final UpdateDevicesService updates = new UpdateDevicesService(catalog, jobs, engine, clock, log.log());

    public OtaFixture() {
        catalog.save(firmware);
        catalog.saves().clear();
    }

    public static DeviceId device(String name) {
        return new DeviceId(PRODUCT, name);
    }

    public static Instant at(long seconds) {
        return NOW.plusSeconds(seconds);
    }

    /** A device known to run {@code version}, last reported at {@code NOW - 60 s}. */
    public DeviceId knownDevice(String name, String version) {
        DeviceId id = device(name);
        store.put(new DeviceState(id, version, NOW.minusSeconds(60), null));
        return id;
    }

    public UpdateDevicesResult updateTo(String version, RetryPolicy policy, String... names) {
        return updates.update(new UpdateDevicesRequest(PRODUCT, version, List.of(names), policy));
    }

    public Execution execution(DeviceId device) {
        return store.execution(device);
    }
}
