package dev.ota.function.progressreport;

import dev.ota.function.support.PrimingEvents;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.function.support.HandlerResponse;
import dev.ota.app.Outcome;
import dev.ota.app.ProgressReportService;
import dev.ota.function.support.ReportIntake;
import dev.ota.domain.device.DeviceReport.ProgressReport;
import java.io.IOException;
import org.crac.Core;
import org.crac.Resource;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * IoT rule target for every message that is not a version report: progress reports are applied,
 * anything else (an unknown type) is rejected and logged here.
 */
public final class ProgressReportHandler implements RequestStreamHandler, Resource {

    private final ObjectMapper json;
    private final ReportIntake intake;
    private final ProgressReportService service;

    /** Lambda's constructor: the wiring is built here, once per container. */
    public ProgressReportHandler() {
        this(ProgressReportWiring.fromEnvironment());
        Core.getGlobalContext().register(this);
    }

    public ProgressReportHandler(ProgressReportWiring wiring) {
        this.json = wiring.json();
        this.intake = wiring.intake();
        this.service = wiring.service();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ReportIntake.Intake<ProgressReport> in = intake.accept(input.readAllBytes(), ProgressReport.class);
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
        intake.accept(PrimingEvents.event("report_progress"), ProgressReport.class);
        service.prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: credentials come from the restored environment on each call.
    }
}
