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
import dev.ota.aws.presign.SigV4DownloadUrlMinter;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.function.support.Environment;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceListSource;
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
        ObjectMapper json, StructuredLog log, UpdateDevicesService service, UpdateSender updates) {

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
        UpdateSender updates = new UpdateSender(
                new SigV4DownloadUrlMinter(aws.presignConfig(), settings.firmwareBucket(), settings.urlExpiry()),
                channel);
        JobEngine engine = new JobEngine(
                jobs,
                new DynamoDbRolloutStore(dynamo, tables),
                new DynamoDbDeviceStateStore(dynamo, tables),
                new DynamoDbDeviceDirectory(dynamo, tables),
                DeviceListSource.NONE,
                updates,
                messages -> {
                    throw new IllegalStateException("update-devices queues no scheduler work");
                },
                clock,
                JobEngineSettings.defaults().tuning(),
                log);
        UpdateDevicesService service =
                new UpdateDevicesService(new DynamoDbFirmwareCatalog(dynamo, tables), jobs, engine, clock, log);
        return new UpdateDevicesWiring(json, log, service, updates);
    }
}
