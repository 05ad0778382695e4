package dev.ota.function.versionreport;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.VersionReportService;
import dev.ota.app.jobs.DynamicEnrollment;
import dev.ota.app.jobs.RepositoryJobAdmission;
import dev.ota.aws.dynamodb.DynamoDbDeviceStateStore;
import dev.ota.aws.dynamodb.DynamoDbJobRepository;
import dev.ota.aws.dynamodb.DynamoDbRolloutStore;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.eventbridge.EventBridgeRolloutEvents;
import dev.ota.aws.iot.IotDataPlaneChannel;
import dev.ota.aws.iot.UpdateTopic;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.function.support.DownloadUrls;
import dev.ota.function.support.Environment;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Observability;
import dev.ota.function.support.ReportIntake;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.protocol.ProtocolJson;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

/**
 * The version-report function's composition root: its settings, clients and service, built once per
 * container. Every resend and device-driven retry is admitted by its job first (one strongly
 * consistent read of the job's state, so nothing goes out once a cancel returned), and a device left
 * without a live update is offered to the product's dynamic jobs (cached per container, see
 * {@link DynamicEnrollment}).
 */
public record VersionReportWiring(
        ObjectMapper json, ReportIntake intake, VersionReportService service, Observability observability) {

    public VersionReportWiring(ObjectMapper json, ReportIntake intake, VersionReportService service) {
        this(json, intake, service, Observability.none());
    }

    public static VersionReportWiring fromEnvironment() {
        Environment env = Environment.system();
        return of(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
    }

    public static VersionReportWiring of(Environment env, AwsClients aws, Clock clock) {
        Settings settings = Settings.from(env);
        JobEngineSettings engine = JobEngineSettings.from(env);
        DynamoDbClient dynamo = aws.build(Service.DYNAMODB, DynamoDbClient.builder());
        IotDataPlaneClient iot = aws.build(Service.IOT_DATA, IotDataPlaneClient.builder());
        ObjectMapper json = ProtocolJson.newMapper();
        StructuredLog log = new StructuredLog(json, "version-report");
        IotDataPlaneChannel channel =
                new IotDataPlaneChannel(iot, new UpdateTopic(settings.updateTopicTemplate()), json);
        Tables tables = settings.tables();
        DynamoDbJobRepository jobs = new DynamoDbJobRepository(dynamo, tables);
        Observability observability = Observability.of(
                env,
                aws,
                new EventBridgeRolloutEvents(
                        () -> aws.build(Service.EVENTBRIDGE, EventBridgeClient.builder()),
                        env.optional("EVENT_BUS_NAME"),
                        json,
                        log));
        DeviceStateStore store = observability.observed(new DynamoDbDeviceStateStore(dynamo, tables));
        VersionReportService service = new VersionReportService(
                store,
                channel,
                DownloadUrls.sender(
                        settings,
                        DownloadUrls.minter(settings, aws, clock),
                        channel,
                        store,
                        clock,
                        log,
                        observability.metrics()),
                log,
                new RepositoryJobAdmission(jobs),
                new DynamicEnrollment(
                        jobs,
                        new DynamoDbRolloutStore(dynamo, tables),
                        clock,
                        engine.tuning().dynamicJobsTtl(),
                        log),
                env.seconds("RESEND_COOLDOWN_SECONDS", VersionReportService.DEFAULT_RESEND_COOLDOWN));
        return new VersionReportWiring(
                json,
                new ReportIntake(json, log, ReportIntake.reportTopic(env), observability.metrics()),
                service,
                observability);
    }
}
