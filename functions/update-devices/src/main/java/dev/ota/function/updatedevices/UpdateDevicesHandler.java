package dev.ota.function.updatedevices;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.function.support.HandlerResponse;
import dev.ota.app.UpdateDevicesRequest;
import dev.ota.app.UpdateDevicesResult;
import dev.ota.app.UpdateDevicesService;
import dev.ota.app.UpdateSender;
import dev.ota.app.jobs.JobEngine;
import dev.ota.aws.dynamodb.DynamoDbClients;
import dev.ota.aws.dynamodb.DynamoDbDeviceDirectory;
import dev.ota.aws.dynamodb.DynamoDbDeviceStateStore;
import dev.ota.aws.dynamodb.DynamoDbFirmwareCatalog;
import dev.ota.aws.dynamodb.DynamoDbJobRepository;
import dev.ota.aws.dynamodb.DynamoDbRolloutStore;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.iot.IotClients;
import dev.ota.aws.iot.IotDataPlaneChannel;
import dev.ota.aws.iot.UpdateTopic;
import dev.ota.aws.presign.PresignConfig;
import dev.ota.aws.presign.SigV4DownloadUrlMinter;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.domain.InvalidMessageException;
import dev.ota.port.out.DeviceListSource;
import dev.ota.protocol.ProtocolJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

/**
 * Invoked directly ({@code aws lambda invoke}, {@code sam local invoke}): "update these devices
 * of this product to firmware version X". The answer comes after every device that can take the
 * update was sent it: the job is one of the job engine's, rolled out within the call
 * ({@link UpdateDevicesService}); the scheduler does the rest. No work queue: nothing here is
 * left for a queue, and the scheduler's next tick plans the job like any other.
 */
public final class UpdateDevicesHandler implements RequestStreamHandler {

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final StructuredLog log = new StructuredLog(json, "update-devices");
    private final UpdateDevicesService service;

    public UpdateDevicesHandler() {
        this(Settings.fromEnvironment());
    }

    private UpdateDevicesHandler(Settings settings) {
        this(settings, DynamoDbClients.fromEnvironment(), PresignConfig.fromEnvironment(),
                IotClients.dataPlaneFromEnvironment(settings.iotDataEndpoint()));
    }

    public UpdateDevicesHandler(Settings settings, DynamoDbClient dynamo, PresignConfig presign, IotDataPlaneClient iot) {
        Tables tables = settings.tables();
        IotDataPlaneChannel channel = new IotDataPlaneChannel(iot, new UpdateTopic(settings.updateTopicTemplate()), json);
        Clock clock = Clock.systemUTC();
        DynamoDbJobRepository jobs = new DynamoDbJobRepository(dynamo, tables);
        JobEngine engine = new JobEngine(jobs, new DynamoDbRolloutStore(dynamo, tables), new DynamoDbDeviceStateStore(dynamo, tables),
                new DynamoDbDeviceDirectory(dynamo, tables), DeviceListSource.NONE,
                new UpdateSender(new SigV4DownloadUrlMinter(presign, settings.firmwareBucket(), settings.urlExpiry()), channel),
                messages -> {
                    throw new IllegalStateException("update-devices queues no scheduler work");
                }, clock, JobEngineSettings.defaults().tuning(), log);
        this.service = new UpdateDevicesService(new DynamoDbFirmwareCatalog(dynamo, tables), jobs, engine, clock, log);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        UpdateDevicesResult result;
        try {
            result = service.update(UpdateDevicesRequest.fromJson(json.readTree(input)));
        } catch (InvalidMessageException | com.fasterxml.jackson.core.JsonProcessingException e) {
            String reason = e instanceof InvalidMessageException ? e.getMessage() : "malformed JSON: " + e.getMessage();
            log.warn("update_devices_rejected", "reason", reason);
            HandlerResponse.rejected(json, output, reason);
            return;
        }
        json.writeValue(output, result);
    }
}
