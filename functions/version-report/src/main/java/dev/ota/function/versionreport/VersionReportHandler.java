package dev.ota.function.versionreport;

import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.function.support.ReportHandler;
import org.crac.Core;

/** IoT rule target for {@code report_version} messages. */
public final class VersionReportHandler extends ReportHandler<VersionReport> {

    /** Lambda's constructor: the wiring is built here, once per container. */
    public VersionReportHandler() {
        this(VersionReportWiring.fromEnvironment());
        Core.getGlobalContext().register(this);
    }

    public VersionReportHandler(VersionReportWiring wiring) {
        super(
                wiring.json(),
                wiring.intake(),
                VersionReport.class,
                "report_version",
                wiring.service(),
                wiring.observability());
    }
}
