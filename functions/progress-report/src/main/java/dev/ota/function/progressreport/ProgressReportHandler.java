package dev.ota.function.progressreport;

import dev.ota.domain.device.DeviceReport.ProgressReport;
import dev.ota.function.support.ReportHandler;
import org.crac.Core;

/**
 * IoT rule target for every message that is not a version report: progress reports are applied,
 * anything else (an unknown type) is rejected and logged here.
 */
public final class ProgressReportHandler extends ReportHandler<ProgressReport> {

    /** Lambda's constructor: the wiring is built here, once per container. */
    public ProgressReportHandler() {
        this(ProgressReportWiring.fromEnvironment());
        Core.getGlobalContext().register(this);
    }

    public ProgressReportHandler(ProgressReportWiring wiring) {
        super(
                wiring.json(),
                wiring.intake(),
                ProgressReport.class,
                "report_progress",
                wiring.service(),
                wiring.observability());
    }
}
