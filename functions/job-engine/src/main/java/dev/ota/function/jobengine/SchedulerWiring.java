package dev.ota.function.jobengine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.aws.iotregistry.IotThingRegistry;
import dev.ota.aws.sqs.SqsWorkQueue;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.function.support.Environment;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Observability;
import dev.ota.function.support.Settings;
import dev.ota.port.out.ThingRegistry;
import dev.ota.protocol.ProtocolJson;
import dev.ota.wiring.JobEngineClients;
import dev.ota.wiring.JobWiring;
import java.time.Clock;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The composition root of the two scheduler functions (the tick and the worker): the job engine on
 * the AWS adapters, continuing itself through the job work queue. Built once per container.
 */
public record SchedulerWiring(ObjectMapper json, JobWiring jobs) {

    /** The two functions' components (log name); only the worker reads the AWS IoT registry. */
    public static final String TICK = "job-tick";

    public static final String WORKER = "job-worker";

    public static SchedulerWiring fromEnvironment(String component) {
        Environment env = Environment.system();
        return of(env, AwsClients.fromEnvironment(env), Clock.systemUTC(), component);
    }

    /** @param component the name the function logs under */
    public static SchedulerWiring of(Environment env, AwsClients aws, Clock clock, String component) {
        JobEngineSettings engine = JobEngineSettings.from(env);
        ObjectMapper json = ProtocolJson.newMapper();
        SqsWorkQueue queue = new SqsWorkQueue(aws.build(Service.SQS, SqsClient.builder()), engine.workQueueUrl(), json);
        Settings settings = Settings.from(env);
        // The worker expands targets, thing groups and fleet queries included; the tick never does.
        ThingRegistry things = component.equals(WORKER)
                ? new IotThingRegistry(aws.build(Service.IOT, IotClient.builder()))
                : ThingRegistry.NONE;
        return new SchedulerWiring(
                json,
                new JobWiring(
                        settings,
                        engine,
                        JobEngineClients.of(settings, aws, clock),
                        things,
                        queue,
                        clock,
                        component,
                        log -> Observability.of(env, aws, json, log, true)));
    }
}
