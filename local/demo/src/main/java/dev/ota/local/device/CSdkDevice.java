package dev.ota.local.device;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.digest.FirmwareDigests;
import dev.ota.local.standin.CSdkHttpGet;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SimulatedDevice} that updates as Tencent's C SDK (3.2.2) does (facts.md §1, "How the C
 * SDK reports failures" and the download-URL limits):
 *
 * <ul>
 *   <li>it downloads with {@link CSdkHttpGet}: a raw socket, the request within 1024 bytes, the
 *       response's {@code Content-Length} and {@code Content-Range} matched case-sensitively;
 *   <li>it keeps {@code {version, md5sum, file_size, bytes so far}} and, when the same firmware
 *       comes again, resumes with {@code Range: bytes=<offset>-<file_size>}, first reporting the
 *       percent it already has;
 *   <li>every cut (a reset, a stall over its read timeout, a body short of its length) is
 *       {@code fail} -5; an HTTP 403 is {@code fail} -3 and then {@code fail} -5 for the same
 *       attempt; every {@code fail} says {@code result_msg} "time_out";
 *   <li>it never reports {@code burning}: after the MD5 check, {@code done}, then its new version;
 *   <li>after a failure it reports its version again, as the C sample does about 2 s later.
 * </ul>
 *
 * <p>{@code afterReport} runs after each message the device publishes: the time that passes on a
 * real device between two reports (its progress reports come while the download runs), which a
 * test uses to let each report be handled before the next.
 */
public final class CSdkDevice {

    /** What one {@code update_firmware} came to. */
    public enum Outcome {
        DONE,
        /** the stream was cut with the download unfinished: {@code fail} -5 */
        CUT,
        /** HTTP 403: {@code fail} -3, then -5 */
        FORBIDDEN,
        /** another failure (HTTP 404 is -2, an MD5 mismatch -4, anything else -5) */
        FAILED
    }

    /** The C SDK's result_msg on every failure it reports. */
    public static final String FAILURE_MESSAGE = "time_out";

    private static final Duration ANSWER_WAIT = Duration.ofSeconds(10);

    private final SimulatedDevice device;
    private final Duration readTimeout;
    private final Duration reReportAfterFailure;
    private final Runnable afterReport;
    private String runningVersion;
    private DownloadCheckpoint checkpoint;

    /**
     * @param readTimeout          how long a read may stall before the device takes it as a cut
     * @param reReportAfterFailure the pause before it reports its version again (about 2 s on the C sample)
     */
    public CSdkDevice(
            SimulatedDevice device,
            String runningVersion,
            Duration readTimeout,
            Duration reReportAfterFailure,
            Runnable afterReport) {
        this.device = device;
        this.runningVersion = runningVersion;
        this.readTimeout = readTimeout;
        this.reReportAfterFailure = reReportAfterFailure;
        this.afterReport = afterReport;
    }

    public SimulatedDevice device() {
        return device;
    }

    public String runningVersion() {
        return runningVersion;
    }

    /** Bytes of the firmware it holds from earlier attempts: where its next Range starts. */
    public long savedOffset() {
        return checkpoint == null ? 0 : checkpoint.length();
    }

    public void reportVersion() {
        device.reportVersion(runningVersion);
        afterReport.run();
    }

    /**
     * Takes {@code first} (unless null), then, after every failure, reports its version again and
     * takes the {@code update_firmware} that answers it, until an update is done or {@code timeout}
     * passes. With no answer (a retry interval runs) it reports its version again.
     *
     * @return what each {@code update_firmware} came to, in order
     */
    public List<Outcome> updateUntilDone(JsonNode first, Duration timeout) {
        List<Outcome> outcomes = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode update = first;
        while (true) {
            if (update != null) {
                Outcome outcome = apply(update);
                outcomes.add(outcome);
                if (outcome == Outcome.DONE) {
                    return outcomes;
                }
                sleep(reReportAfterFailure);
            }
            if (System.nanoTime() >= deadline) {
                return outcomes;
            }
            reportVersion();
            update = device.await(m -> "update_firmware".equals(m.path("type").asText()), ANSWER_WAIT);
        }
    }

    /** Takes one {@code update_firmware}: downloads (resuming where it can), checks, reports. */
    public Outcome apply(JsonNode update) {
        String version = update.path("version").asText();
        String md5 = update.path("md5sum").asText();
        long size = update.path("file_size").asLong();
        String url = update.path("url").asText();
        if (checkpoint == null || !checkpoint.sameFirmware(version, md5, size)) {
            checkpoint = new DownloadCheckpoint(version, md5, size);
        }
        long offset = checkpoint.length();
        report(() -> device.reportDownloading(version, checkpoint.percent()));

        CSdkHttpGet.Response response;
        try {
            response = CSdkHttpGet.get(url, offset > 0 ? "bytes=" + offset + "-" + size : null, readTimeout);
        } catch (IOException | IllegalArgumentException e) {
            // no answer (refused, reset before the headers) or a request the SDK cannot send whole
            return fail(version, -5, Outcome.FAILED);
        }
        switch (response.status()) {
            case 200, 206 -> {}
            case 403 -> {
                report(() -> device.reportFail(version, -3, FAILURE_MESSAGE));
                return fail(version, -5, Outcome.FORBIDDEN);
            }
            case 404 -> {
                return fail(version, -2, Outcome.FAILED);
            }
            default -> {
                return fail(version, -5, Outcome.FAILED);
            }
        }
        if (response.status() == 200 && offset > 0) {
            checkpoint = new DownloadCheckpoint(version, md5, size); // the Range was ignored: the whole file came
        } else if (response.status() == 206
                && !String.valueOf(response.headers().get("Content-Range")).startsWith("bytes " + offset + "-")) {
            return fail(version, -5, Outcome.FAILED);
        }
        checkpoint.append(response.body());
        if (!response.complete() || checkpoint.length() < size) {
            // the progress reports it sent while the stream ran, then the cut
            report(() -> device.reportDownloading(version, checkpoint.percent()));
            return fail(version, -5, Outcome.CUT);
        }
        byte[] image = checkpoint.bytes();
        checkpoint = null;
        if (!FirmwareDigests.md5Hex(image).equals(md5)) {
            return fail(version, -4, Outcome.FAILED);
        }
        report(() -> device.reportDownloading(version, 100));
        report(() -> device.reportDone(version));
        runningVersion = version;
        reportVersion();
        device.await(
                m -> "report_version_rsp".equals(m.path("type").asText())
                        && version.equals(m.path("version").asText()),
                ANSWER_WAIT);
        return Outcome.DONE;
    }

    private Outcome fail(String version, int code, Outcome outcome) {
        report(() -> device.reportFail(version, code, FAILURE_MESSAGE));
        return outcome;
    }

    private void report(Runnable publish) {
        publish.run();
        afterReport.run();
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
