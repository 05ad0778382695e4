package dev.ota.testing;

import dev.ota.protocol.DeviceId;
import dev.ota.protocol.DeviceReport.ProgressReport;
import dev.ota.protocol.DeviceReport.VersionReport;
import dev.ota.protocol.ProgressState;
import java.time.Instant;

/** Short constructors for parsed device reports. */
public final class Reports {

    private Reports() {}

    public static VersionReport version(DeviceId device, String version, Instant at) {
        return new VersionReport(device, at, version);
    }

    public static ProgressReport downloading(DeviceId device, String version, Integer percent, Instant at) {
        return new ProgressReport(device, at, version, ProgressState.DOWNLOADING, percent, 0, "");
    }

    public static ProgressReport burning(DeviceId device, String version, Instant at) {
        return new ProgressReport(device, at, version, ProgressState.BURNING, null, 0, "");
    }

    public static ProgressReport done(DeviceId device, String version, Instant at) {
        return new ProgressReport(device, at, version, ProgressState.DONE, null, 0, "");
    }

    public static ProgressReport fail(DeviceId device, String version, int code, String msg, Instant at) {
        return new ProgressReport(device, at, version, ProgressState.FAIL, null, code, msg);
    }
}
