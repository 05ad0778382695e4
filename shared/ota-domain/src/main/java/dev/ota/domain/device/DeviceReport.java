package dev.ota.domain.device;

import java.time.Instant;

/**
 * One device message as the IoT rule hands it to a function: the payload's fields plus the
 * device identity taken from the topic, the MQTT client id and the broker's receive time.
 */
public sealed interface DeviceReport {

    DeviceId device();

    /** The broker's {@code timestamp()}: orders reports that Lambda may deliver out of order. */
    Instant receivedAt();

    /** {@code {"type":"report_version","report":{"version":"1.0.0"}}} */
    record VersionReport(DeviceId device, Instant receivedAt, String version) implements DeviceReport {}

    /**
     * {@code {"type":"report_progress","report":{"progress":{...},"version":"1.1.0"}}}.
     *
     * @param percent null when the device sent none (burning, done and fail carry none)
     * @param resultCode 0 unless {@code state} is fail
     */
    record ProgressReport(
            DeviceId device,
            Instant receivedAt,
            String version,
            ProgressState state,
            Integer percent,
            int resultCode,
            String resultMsg)
            implements DeviceReport {}

    // Named constructors, one per report a device sends.

    static VersionReport version(DeviceId device, String version, Instant at) {
        return new VersionReport(device, at, version);
    }

    static ProgressReport downloading(DeviceId device, String version, Integer percent, Instant at) {
        return new ProgressReport(device, at, version, ProgressState.DOWNLOADING, percent, 0, "");
    }

    static ProgressReport burning(DeviceId device, String version, Instant at) {
        return new ProgressReport(device, at, version, ProgressState.BURNING, null, 0, "");
    }

    static ProgressReport done(DeviceId device, String version, Instant at) {
        return new ProgressReport(device, at, version, ProgressState.DONE, null, 0, "");
    }

    static ProgressReport fail(DeviceId device, String version, int code, String msg, Instant at) {
        return new ProgressReport(device, at, version, ProgressState.FAIL, null, code, msg);
    }
}
