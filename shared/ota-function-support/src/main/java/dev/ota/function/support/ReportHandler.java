package dev.ota.function.support;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.Outcome;
import dev.ota.app.ReportService;
import dev.ota.domain.device.DeviceReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.crac.Resource;

/**
 * An IoT rule target for one kind of device report: intake, service, response. A malformed or
 * invalid event is answered REJECTED with its reason (logged by the intake), never thrown. Before a
 * SnapStart snapshot it parses a priming event and primes the service, so restored containers start
 * warm; it changes no state and sends nothing.
 */
public abstract class ReportHandler<R extends DeviceReport> implements RequestStreamHandler, Resource {

    private final ObjectMapper json;
    private final ReportIntake intake;
    private final Class<R> type;
    private final String primingType;
    private final ReportService<R> service;
    private final Observability observability;

    /** @param primingType the rule event type parsed while priming, e.g. {@code report_version} */
    protected ReportHandler(
            ObjectMapper json, ReportIntake intake, Class<R> type, String primingType, ReportService<R> service) {
        this(json, intake, type, primingType, service, Observability.none());
    }

    protected ReportHandler(
            ObjectMapper json,
            ReportIntake intake,
            Class<R> type,
            String primingType,
            ReportService<R> service,
            Observability observability) {
        this.observability = observability;
        this.json = json;
        this.intake = intake;
        this.type = type;
        this.primingType = primingType;
        this.service = service;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        try (Observability.Invocation ignored = observability.begin(context)) {
            ReportIntake.Intake<R> in = intake.accept(input.readAllBytes(), type);
            if (in.rejection() != null) {
                HandlerResponse.rejected(json, output, in.rejection());
                return;
            }
            Outcome outcome = service.handle(in.report());
            HandlerResponse.outcome(json, output, outcome.name());
        }
    }

    @Override
    public final void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        intake.accept(PrimingEvents.event(primingType), type);
        service.prime();
    }

    @Override
    public final void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: credentials come from the restored environment on each call.
    }
}
