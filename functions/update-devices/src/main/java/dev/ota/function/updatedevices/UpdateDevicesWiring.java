package dev.ota.function.updatedevices;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.UpdateDevicesService;
import dev.ota.app.UpdateSender;
import dev.ota.app.jobs.JobEngine;
import dev.ota.aws.dynamodb.DynamoDbDeviceDirectory;
import dev.ota.aws.dynamodb.DynamoDbDeviceStateStore;
import dev.ota.aws.dynamodb.DynamoDbFirmwareCatalog;
import dev.ota.aws.dynamodb.DynamoDbJobRepository;
import dev.ota.aws.dynamodb.DynamoDbRolloutStore;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.iot.IotDataPlaneChannel;
import dev.ota.aws.iot.UpdateTopic;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.function.support.DownloadUrls;
import dev.ota.function.support.Environment;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Observability;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceListSource;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.ThingRegistry;
import dev.ota.protocol.ProtocolJson;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

/**
 * The update-devices function's composition root, built once per container: the job engine over
 * DynamoDB and IoT, without S3 (its jobs are inline lists, {@link DeviceListSource#NONE}) and
 * without a work queue (it rolls its jobs out within the call; the scheduler's next tick plans
 * them like any other).
 */
public record UpdateDevicesWiring(
        ObjectMapper json,
        StructuredLog log,
        UpdateDevicesService service,
        UpdateSender updates,
        Observability observability) {

    /** Without metrics (tests). */
    public UpdateDevicesWiring(
            ObjectMapper json, StructuredLog log, UpdateDevicesService service, UpdateSender updates) {
        this(json, log, service, updates, Observability.none());
    }

    public static UpdateDevicesWiring fromEnvironment() {
        Environment env = Environment.system();
        return of(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
    }

    public static UpdateDevicesWiring of(Environment env, AwsClients aws, Clock clock) {
        Settings settings = Settings.from(env);
        ObjectMapper json = ProtocolJson.newMapper();
        StructuredLog log = new StructuredLog(json, "update-devices");
        DynamoDbClient dynamo = aws.build(Service.DYNAMODB, DynamoDbClient.builder());
        IotDataPlaneClient iot = aws.build(Service.IOT_DATA, IotDataPlaneClient.builder());
        Tables tables = settings.tables();
        IotDataPlaneChannel channel =
                new IotDataPlaneChannel(iot, new UpdateTopic(settings.updateTopicTemplate()), json);
        DynamoDbJobRepository jobs = new DynamoDbJobRepository(dynamo, tables);
        // Metrics only: its role has no events:PutEvents (its jobs announce themselves to no bus).
        Observability observability = Observability.of(env, aws, json, log, false);
        DeviceStateStore store = observability.observed(new DynamoDbDeviceStateStore(dynamo, tables));
        UpdateSender updates = DownloadUrls.sender(
                settings,
                DownloadUrls.minter(settings, aws, clock),
                channel,
                store,
                clock,
                log,
                observability.metrics());
        JobEngine engine = new JobEngine(
                jobs,
                new DynamoDbRolloutStore(dynamo, tables),
                store,
                new DynamoDbDeviceDirectory(dynamo, tables),
                DeviceListSource.NONE,
                ThingRegistry.NONE,
                updates,
                messages -> {
                    throw new IllegalStateException("update-devices queues no scheduler work");
                },
                clock,
                JobEngineSettings.defaults().tuning(),
                log,
                observability.metrics(),
                observability.events());
        UpdateDevicesService service =
                new UpdateDevicesService(new DynamoDbFirmwareCatalog(dynamo, tables), jobs, engine, clock, log);
        return new UpdateDevicesWiring(json, log, service, updates, observability);
    }
}
