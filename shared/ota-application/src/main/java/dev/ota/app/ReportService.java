package dev.ota.app;

import dev.ota.domain.device.DeviceReport;

/** A use case driven by one kind of device report: what a report function calls. */
public interface ReportService<R extends DeviceReport> {

    Outcome handle(R report);

    /** Loads and links the request path without changing state or sending anything (SnapStart). */
    void prime();
}
