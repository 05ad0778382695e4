package dev.ota.function.managementapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.devicelist.DeviceListUploadService;
import dev.ota.app.firmware.FirmwareCatalogService;
import dev.ota.app.firmware.UploadSettings;
import dev.ota.aws.dynamodb.DynamoDbFirmwareCatalog;
import dev.ota.aws.dynamodb.DynamoDbJobRepository;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.s3.S3FirmwareUploads;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.function.support.Environment;
import dev.ota.function.support.Observability;
import dev.ota.function.support.Settings;
import dev.ota.function.support.UploadSettingsFromEnvironment;
import dev.ota.log.StructuredLog;
import dev.ota.port.in.FirmwareOperations;
import dev.ota.port.in.JobOperations;
import dev.ota.protocol.ProtocolJson;
import dev.ota.wiring.JobEngineClients;
import dev.ota.wiring.JobOperationsFactory;
import java.net.URI;
import java.time.Clock;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The management API's composition root: the operations the routes call, built once per container.
 *
 * @param deviceLists null where device-list uploads are not offered (tests on fakes)
 */
public record ManagementApiWiring(
        FirmwareOperations firmware,
        JobOperations jobs,
        DeviceListUploadService deviceLists,
        Observability observability) {

    public ManagementApiWiring(FirmwareOperations firmware, JobOperations jobs, DeviceListUploadService deviceLists) {
        this(firmware, jobs, deviceLists, Observability.none());
    }

    public static ManagementApiWiring fromEnvironment() {
        Environment env = Environment.system();
        return of(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
    }

    public static ManagementApiWiring of(Environment env, AwsClients aws, Clock clock) {
        Settings settings = Settings.from(env);
        UploadSettings uploads = UploadSettingsFromEnvironment.read(env);
        JobEngineClients clients = JobEngineClients.of(settings, aws, clock);
        Tables tables = settings.tables();
        S3FirmwareUploads objects =
                new S3FirmwareUploads(clients.s3(), uploadPresigner(aws), settings.firmwareBucket());
        FirmwareOperations firmware = new FirmwareCatalogService(
                new DynamoDbFirmwareCatalog(clients.dynamo(), tables),
                objects,
                new DynamoDbJobRepository(clients.dynamo(), tables),
                uploads,
                clock,
                new StructuredLog(ProtocolJson.newMapper(), "management-api"));
        // The job engine: the one place its implementation is chosen (see JobOperationsFactory).
        ObjectMapper json = ProtocolJson.newMapper();
        Observability observability = Observability.of(env, aws, json, new StructuredLog(json, "management-api"), true);
        JobOperations jobs = JobOperationsFactory.create(settings, clients, clock, log -> observability);
        return new ManagementApiWiring(
                firmware, jobs, new DeviceListUploadService(objects, uploads, clock), observability);
    }

    /** Upload URLs (PUT, multipart) are S3Presigner's; download URLs are the job engine's minter's. */
    private static S3Presigner uploadPresigner(AwsClients aws) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(aws.region())
                .credentialsProvider(aws.credentials())
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(aws.s3PathStyle())
                        .build());
        URI endpoint = aws.endpoint(Service.S3);
        return endpoint == null
                ? builder.build()
                : builder.endpointOverride(endpoint).build();
    }
}
