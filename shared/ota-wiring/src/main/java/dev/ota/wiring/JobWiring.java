package dev.ota.wiring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.UpdateSender;
import dev.ota.app.firmware.StaleUploads;
import dev.ota.app.jobs.JobEngine;
import dev.ota.aws.dynamodb.DynamoDbDeviceDirectory;
import dev.ota.aws.dynamodb.DynamoDbDeviceStateStore;
import dev.ota.aws.dynamodb.DynamoDbFirmwareCatalog;
import dev.ota.aws.dynamodb.DynamoDbJobRepository;
import dev.ota.aws.dynamodb.DynamoDbRolloutStore;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.iot.IotDataPlaneChannel;
import dev.ota.aws.iot.UpdateTopic;
import dev.ota.aws.s3.S3DeviceListSource;
import dev.ota.function.support.DownloadUrls;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Observability;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.ThingRegistry;
import dev.ota.port.out.WorkQueue;
import dev.ota.protocol.ProtocolJson;
import java.time.Clock;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The job engine's collaborators over the AWS adapters, built once per container. */
public final class JobWiring {

    public final DynamoDbJobRepository jobs;
    public final DynamoDbRolloutStore rollout;
    public final DynamoDbDeviceStateStore devices;
    public final DynamoDbFirmwareCatalog firmware;
    /** The Devices table's byProductVersion index: source-version targets, the fleet's version distribution. */
    public final DynamoDbDeviceDirectory directory;

    public final S3DeviceListSource lists;
    public final UpdateSender updates;
    public final JobEngine engine;
    /** The tick's sweep of firmware reservations whose registration never came. */
    public final StaleUploads staleUploads;

    public final StructuredLog log;
    /** Metrics and events (none unless built with an AwsClients); the engine's device writes go through it. */
    public final Observability observability;
    /** {@link #devices} as the engine and the operations use it: each transition metered and announced. */
    public final DeviceStateStore observedDevices;

    public JobWiring(
            Settings settings,
            JobEngineSettings engineSettings,
            JobEngineClients clients,
            WorkQueue queue,
            Clock clock,
            String component) {
        this(
                settings,
                engineSettings,
                clients,
                ThingRegistry.NONE,
                queue,
                clock,
                component,
                log -> Observability.none());
    }

    /**
     * @param things the AWS IoT registry, for the engine that expands thing-group and fleet-query targets (the job worker's)
     * @param observability the function's metrics and events, given the log it reports failures to
     */
    public JobWiring(
            Settings settings,
            JobEngineSettings engineSettings,
            JobEngineClients clients,
            ThingRegistry things,
            WorkQueue queue,
            Clock clock,
            String component,
            Function<StructuredLog, Observability> observability) {
        DynamoDbClient dynamo = clients.dynamo();
        ObjectMapper json = ProtocolJson.newMapper();
        Tables tables = settings.tables();
        this.log = new StructuredLog(json, component);
        this.observability = observability.apply(log);
        this.jobs = new DynamoDbJobRepository(dynamo, tables);
        this.rollout = new DynamoDbRolloutStore(dynamo, tables);
        this.devices = new DynamoDbDeviceStateStore(dynamo, tables);
        this.observedDevices = this.observability.observed(devices);
        this.firmware = new DynamoDbFirmwareCatalog(dynamo, tables);
        this.directory = new DynamoDbDeviceDirectory(dynamo, tables);
        this.lists = new S3DeviceListSource(clients.s3(), settings.firmwareBucket());
        this.updates = DownloadUrls.sender(
                settings,
                clients.downloads(),
                new IotDataPlaneChannel(clients.iot(), new UpdateTopic(settings.updateTopicTemplate()), json),
                this.observedDevices,
                clock,
                log,
                this.observability.metrics());
        this.engine = new JobEngine(
                jobs,
                rollout,
                observedDevices,
                directory,
                lists,
                things,
                updates,
                queue,
                clock,
                engineSettings.tuning(),
                log,
                this.observability.metrics(),
                this.observability.events());
        this.staleUploads = new StaleUploads(firmware, engineSettings.firmwareUploadTimeout(), clock, log);
    }
}
