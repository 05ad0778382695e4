package dev.ota.local.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.digest.FirmwareDigests;
import dev.ota.local.demo.FleetPlan.DeviceProfile;
import dev.ota.local.demo.FleetPlan.Fault;
import dev.ota.local.device.DownloadCheckpoint;
import dev.ota.local.device.SimulatedDevice;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * One device of the demo fleet, behaving as Tencent's device SDKs do (facts.md §1): it reports its
 * version, takes {@code update_firmware}, downloads over HTTP, keeps a checkpoint
 * {version, md5sum, file_size, bytes so far} and resumes with a Range request when the same
 * firmware comes again, checks the MD5, reports burning and done, then reports its new version.
 * After a failure it reports its version again, as the C SDK does two seconds later (scaled down
 * here). Its weak-network fault comes from its {@link DeviceProfile}.
 */
final class DemoDevice implements Runnable {

    private static final Duration ANSWER_WAIT = Duration.ofSeconds(10);
    /** The C SDK re-reports about 2 s after a failure; the demo scales that down. */
    private static final long RE_REPORT_AFTER_FAILURE_MS = 2000; // as the C SDK
    /**
     * A version report that brought no update_firmware is repeated after this long, doubling up to
     * {@link #RE_REPORT_IDLE_MAX_MS} while none comes: a lagging stack is not flooded by its own fleet.
     */
    private static final long RE_REPORT_IDLE_MS = 3000;

    private static final long RE_REPORT_IDLE_MAX_MS = 30_000;
    /** A device that reported nothing waits this long at a time; stop() wakes it earlier. */
    private static final Duration IDLE_WAIT = Duration.ofMinutes(1);

    private final DeviceProfile profile;
    private final DemoOptions options;
    private final SimulatedDevice device;
    private final Duration urlExpiry;
    private final DeviceStats stats = new DeviceStats();
    private final Random random;
    private final CountDownLatch stageStarted = new CountDownLatch(1);
    private final Deque<Integer> pendingDrops;
    private final String topicPrefix;

    private volatile long stageStartedAt;
    private volatile boolean stopped;
    private volatile boolean updated;
    private volatile String error;

    private String runningVersion;
    private DownloadCheckpoint checkpoint;
    private boolean waitedOutUrl;
    private boolean awaitingUpdate;
    private long lastReportAt;
    private long reReportAfterMs = RE_REPORT_IDLE_MS;

    /**
     * @param basicIngest the report rules' names: a device on AWS's topics ({@code ota/...}) reports by
     *     Basic Ingest, the documented device topic; one on Tencent's {@code $ota/...} publishes to its
     *     one fixed report topic, as an unchanged Tencent SDK does (both rules see it)
     */
    DemoDevice(
            DeviceProfile profile,
            DemoOptions options,
            String mqttUrl,
            HttpClient http,
            Duration urlExpiry,
            SimulatedDevice.BasicIngest basicIngest) {
        this.profile = profile;
        this.options = options;
        this.urlExpiry = urlExpiry;
        this.random = new Random(options.seed() * 31 + profile.name().hashCode());
        this.topicPrefix = profile.topicPrefix();
        this.device = new SimulatedDevice(mqttUrl, options.productId(), profile.name(), topicPrefix, http);
        if (!topicPrefix.startsWith("$")) {
            device.viaBasicIngest(basicIngest);
        }
        this.pendingDrops = new ArrayDeque<>(profile.dropAt());
        this.runningVersion = options.fromVersion();
    }

    DeviceProfile profile() {
        return profile;
    }

    DeviceStats stats() {
        return stats;
    }

    String topicPrefix() {
        return topicPrefix;
    }

    long publishes() {
        return device.publishes();
    }

    /** The device's own opinion; the summary trusts DynamoDB instead. */
    boolean updated() {
        return updated;
    }

    String error() {
        return error;
    }

    /** Connects and reports the version it runs, so the cloud knows it; an offline device then drops off. */
    void enroll() {
        device.connect();
        reportVersion();
        JsonNode rsp = device.await(
                m -> "report_version_rsp".equals(m.path("type").asText())
                        && runningVersion.equals(m.path("version").asText()),
                ANSWER_WAIT);
        if (rsp == null) {
            throw new IllegalStateException(
                    profile.name() + ": no report_version_rsp within " + ANSWER_WAIT.toSeconds() + " s");
        }
        if (profile.fault() == Fault.OFFLINE_AT_START) {
            device.disconnect();
        }
    }

    /** Its stage's job has just been created. */
    void stageStarted() {
        stageStartedAt = System.currentTimeMillis();
        stageStarted.countDown();
    }

    void stop() {
        stopped = true;
        stageStarted.countDown();
        device.wakeUp();
    }

    /** How long the device waits for update_firmware before it reports its version again. */
    private Duration untilNextReReport() {
        if (!awaitingUpdate) {
            return IDLE_WAIT;
        }
        return Duration.ofMillis(Math.max(1, lastReportAt + reReportAfterMs - System.currentTimeMillis()));
    }

    void close() {
        device.close();
    }

    @Override
    public void run() {
        try {
            if (profile.fault() == Fault.OFFLINE_AT_START) {
                stageStarted.await();
                sleepUntil(stageStartedAt + profile.offlineDelayMs());
                if (stopped) {
                    return;
                }
                device.connect();
                stats.connectedLate(System.currentTimeMillis() - stageStartedAt);
                reportVersion();
                awaitingUpdate = true;
            }
            while (!stopped && !updated) {
                // Blocks until update_firmware comes, its re-report is due or stop() wakes it: no polling, so
                // thousands of waiting devices cost no CPU.
                JsonNode update = device.await(
                        m -> "update_firmware".equals(m.path("type").asText()), untilNextReReport());
                if (update == null) {
                    if (!stopped && awaitingUpdate && System.currentTimeMillis() - lastReportAt >= reReportAfterMs) {
                        stats.reReportedWithoutUpdate();
                        reReportAfterMs = Math.min(RE_REPORT_IDLE_MAX_MS, reReportAfterMs * 2);
                        reportVersion();
                    }
                    continue;
                }
                awaitingUpdate = false;
                reReportAfterMs = RE_REPORT_IDLE_MS;
                stats.updateReceived();
                apply(update);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!stopped) {
                error = String.valueOf(e);
            }
        }
    }

    private void apply(JsonNode update) throws InterruptedException {
        String version = update.path("version").asText();
        String md5 = update.path("md5sum").asText();
        JsonNode sizeNode = update.path("file_size");
        String url = update.path("url").asText();
        if (!sizeNode.isIntegralNumber() || !md5.matches("[0-9a-f]{32}")) {
            // What Tencent's Python SDK would choke on: a protocol error of the cloud.
            fail(version, -5, "bad update_firmware: file_size " + sizeNode + ", md5sum " + md5);
            return;
        }
        long size = sizeNode.longValue();
        if (checkpoint != null && checkpoint.sameFirmware(version, md5, size) && checkpoint.length() > 0) {
            stats.resumed(checkpoint.length());
        } else {
            checkpoint = new DownloadCheckpoint(version, md5, size);
        }
        device.reportDownloading(version, checkpoint.percent());
        if (profile.fault() == Fault.URL_EXPIRES && !waitedOutUrl) {
            waitedOutUrl = true;
            Thread.sleep(urlExpiry.toMillis() + 1500);
        }

        long offset = checkpoint.length();
        long stopAt = !pendingDrops.isEmpty() && pendingDrops.peek() > offset ? pendingDrops.peek() : size;
        SimulatedDevice.Download download;
        try {
            download = device.download(url, offset, stopAt - offset);
        } catch (IllegalStateException e) {
            fail(version, -1, "time_out");
            return;
        }
        switch (download.status()) {
            case 200, 206 -> {}
            case 403 -> {
                stats.forbidden();
                fail(version, -3, "signature expired (HTTP 403)");
                return;
            }
            case 404 -> {
                fail(version, -2, "file not found (HTTP 404)");
                return;
            }
            default -> {
                fail(version, -5, "HTTP " + download.status());
                return;
            }
        }
        if (download.status() == 200 && offset > 0) {
            checkpoint = new DownloadCheckpoint(version, md5, size); // the server ignored the Range: whole file
        }
        stats.downloaded(download.body().length);
        checkpoint.append(download.body());

        if (checkpoint.length() < size) {
            while (!pendingDrops.isEmpty() && pendingDrops.peek() <= checkpoint.length()) {
                pendingDrops.poll();
            }
            stats.dropped();
            device.reportDownloading(version, checkpoint.percent());
            loseConnection();
            return;
        }
        device.reportDownloading(version, 100);
        byte[] image = checkpoint.bytes();
        if (profile.fault() == Fault.CORRUPT_FIRMWARE) {
            image[random.nextInt(image.length)] ^= 0x5A; // a bad flash write, every time
        }
        if (!FirmwareDigests.md5Hex(image).equals(md5)) {
            checkpoint = null;
            fail(version, -4, "md5 mismatch");
            return;
        }
        // Flashed: the image leaves the device's RAM (a finished device held 256 KB each, 1.3 GB at 5,000 devices).
        checkpoint = null;
        device.reportBurning(version);
        Thread.sleep(30);
        device.reportDone(version);
        runningVersion = version;
        reportVersion();
        device.await(
                m -> "report_version_rsp".equals(m.path("type").asText())
                        && version.equals(m.path("version").asText()),
                ANSWER_WAIT);
        updated = true;
    }

    /** Reports the failure, then its version again a little later, as the C SDK does. */
    private void fail(String version, int code, String message) throws InterruptedException {
        stats.failReported(code);
        device.reportFail(version, code, message);
        Thread.sleep(RE_REPORT_AFTER_FAILURE_MS);
        reportVersion();
        awaitingUpdate = true;
    }

    /** The network goes away mid-download; when it is back the device reports its version again. */
    private void loseConnection() throws InterruptedException {
        device.disconnect();
        Thread.sleep(200 + random.nextInt(400));
        device.connect();
        reportVersion();
        awaitingUpdate = true;
    }

    private void reportVersion() {
        device.reportVersion(runningVersion);
        lastReportAt = System.currentTimeMillis();
    }

    private void sleepUntil(long epochMillis) throws InterruptedException {
        while (!stopped) {
            long left = epochMillis - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.min(left, 200));
        }
    }
}
