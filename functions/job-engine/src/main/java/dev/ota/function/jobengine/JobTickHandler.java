package dev.ota.function.jobengine;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.aws.dynamodb.DynamoDbClients;
import dev.ota.aws.iot.IotClients;
import dev.ota.aws.jobs.JobWiring;
import dev.ota.aws.s3.S3Clients;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Settings;
import dev.ota.protocol.ProtocolJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Runs once a minute (EventBridge schedule): puts a PLAN message for every live job on the job work
 * queue. It reads one index and writes one SQS batch per ten jobs; everything else happens in
 * {@link JobWorkerHandler}.
 */
public final class JobTickHandler implements RequestStreamHandler {

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final JobWiring wiring;

    public JobTickHandler() {
        this(Settings.fromEnvironment(), JobEngineSettings.fromEnvironment());
    }

    private JobTickHandler(Settings settings, JobEngineSettings engine) {
        this(settings, engine, DynamoDbClients.fromEnvironment(), S3Clients.clientFromEnvironment(), S3Clients.presignerFromEnvironment(),
                IotClients.dataPlaneFromEnvironment(settings.iotDataEndpoint()), SqsClients.fromEnvironment(), Clock.systemUTC());
    }

    public JobTickHandler(Settings settings, JobEngineSettings engine, DynamoDbClient dynamo, S3Client s3, S3Presigner presigner,
                          IotDataPlaneClient iot, SqsClient sqs, Clock clock) {
        this.wiring = new JobWiring(settings, engine, dynamo, s3, iot, presigner, new SqsWorkQueue(sqs, engine.workQueueUrl(), json), clock,
                "job-tick");
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        int jobs = wiring.engine.tick();
        json.writeValue(output, json.createObjectNode().put("outcome", "PLANNED").put("liveJobs", jobs));
    }
}
