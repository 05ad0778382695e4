package dev.ota.local.demo;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one demo device did, as the device itself saw it: bytes over HTTP, restarts, the failures
 * it reported. Only for the summary's network story: whether an update succeeded is read from
 * DynamoDB, never from here.
 */
public final class DeviceStats {

    private long bytesDownloaded;
    private long bytesKeptOnResume;
    private int downloadsDropped;
    private int resumes;
    private int updatesReceived;
    private int versionReportsAfterGivingUp;
    private long connectedLateAfterMs = -1;
    private int http403;
    private final Map<Integer, Integer> failReports = new TreeMap<>();

    synchronized void downloaded(long bytes) {
        bytesDownloaded += bytes;
    }

    synchronized void resumed(long keptBytes) {
        resumes++;
        bytesKeptOnResume += keptBytes;
    }

    synchronized void dropped() {
        downloadsDropped++;
    }

    synchronized void updateReceived() {
        updatesReceived++;
    }

    synchronized void forbidden() {
        http403++;
    }

    synchronized void failReported(int code) {
        failReports.merge(code, 1, Integer::sum);
    }

    synchronized void connectedLate(long afterMs) {
        connectedLateAfterMs = afterMs;
    }

    synchronized void reReportedWithoutUpdate() {
        versionReportsAfterGivingUp++;
    }

    public synchronized long bytesDownloaded() {
        return bytesDownloaded;
    }

    /** Bytes a device already had when a download resumed: what a restart from zero would fetch again. */
    public synchronized long bytesKeptOnResume() {
        return bytesKeptOnResume;
    }

    public synchronized int downloadsDropped() {
        return downloadsDropped;
    }

    public synchronized int resumes() {
        return resumes;
    }

    public synchronized int updatesReceived() {
        return updatesReceived;
    }

    public synchronized int http403() {
        return http403;
    }

    public synchronized Map<Integer, Integer> failReports() {
        return new TreeMap<>(failReports);
    }

    /** -1 when the device was never offline. */
    public synchronized long connectedLateAfterMs() {
        return connectedLateAfterMs;
    }

    /** Version reports re-sent after a failure because the previous one brought no update_firmware within a few seconds. */
    public synchronized int versionReportsAfterGivingUp() {
        return versionReportsAfterGivingUp;
    }
}
