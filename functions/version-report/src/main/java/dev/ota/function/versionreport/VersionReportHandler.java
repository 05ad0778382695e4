package dev.ota.function.versionreport;

import dev.ota.function.support.PrimingEvents;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.function.support.HandlerResponse;
import dev.ota.app.Outcome;
import dev.ota.function.support.ReportIntake;
import dev.ota.app.VersionReportService;
import dev.ota.domain.device.DeviceReport.VersionReport;
import java.io.IOException;
import org.crac.Core;
import org.crac.Resource;
import java.io.InputStream;
import java.io.OutputStream;

/** IoT rule target for {@code report_version} messages. */
public final class VersionReportHandler implements RequestStreamHandler, Resource {

    private final ObjectMapper json;
    private final ReportIntake intake;
    private final VersionReportService service;

    /** Lambda's constructor: the wiring is built here, once per container. */
    public VersionReportHandler() {
        this(VersionReportWiring.fromEnvironment());
        Core.getGlobalContext().register(this);
    }

    public VersionReportHandler(VersionReportWiring wiring) {
        this.json = wiring.json();
        this.intake = wiring.intake();
        this.service = wiring.service();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ReportIntake.Intake<VersionReport> in = intake.accept(input.readAllBytes(), VersionReport.class);
        if (in.rejection() != null) {
            HandlerResponse.rejected(json, output, in.rejection());
            return;
        }
        Outcome outcome = service.handle(in.report());
        HandlerResponse.outcome(json, output, outcome.name());
    }

    /** SnapStart: warm the request path before the snapshot, so restored containers start warm. */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        intake.accept(PrimingEvents.event("report_version"), VersionReport.class);
        service.prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: credentials come from the restored environment on each call.
    }
}
