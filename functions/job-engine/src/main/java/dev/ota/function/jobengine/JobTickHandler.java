package dev.ota.function.jobengine;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.function.support.Observability;
import dev.ota.wiring.JobWiring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Runs once a minute (EventBridge schedule): puts a PLAN message for every live job on the job work
 * queue. It reads one index and writes one SQS batch per ten jobs; everything else happens in
 * {@link JobWorkerHandler}. It also rejects firmware reservations left UPLOADING past their limit
 * (one read of a sparse index, usually empty).
 */
public final class JobTickHandler implements RequestStreamHandler {

    private final ObjectMapper json;
    private final JobWiring wiring;

    /** Lambda's constructor: the wiring is built here, once per container. */
    public JobTickHandler() {
        this(SchedulerWiring.fromEnvironment(SchedulerWiring.TICK));
    }

    public JobTickHandler(SchedulerWiring wiring) {
        this.json = wiring.json();
        this.wiring = wiring.jobs();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        try (Observability.Invocation ignored = wiring.observability.begin(context)) {
            input.readAllBytes();
            int jobs = wiring.engine.tick();
            int rejected = wiring.staleUploads.rejectStale();
            json.writeValue(
                    output,
                    json.createObjectNode()
                            .put("outcome", "PLANNED")
                            .put("liveJobs", jobs)
                            .put("staleUploadsRejected", rejected));
        }
    }
}
