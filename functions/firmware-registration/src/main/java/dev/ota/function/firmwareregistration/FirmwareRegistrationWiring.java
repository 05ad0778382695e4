package dev.ota.function.firmwareregistration;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.FirmwareRegistrationService;
import dev.ota.aws.dynamodb.DynamoDbFirmwareCatalog;
import dev.ota.aws.s3.S3FirmwareObjects;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.function.support.Environment;
import dev.ota.function.support.Settings;
import dev.ota.log.StructuredLog;
import dev.ota.protocol.ProtocolJson;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The firmware-registration function's composition root, built once per container. */
public record FirmwareRegistrationWiring(ObjectMapper json, StructuredLog log, FirmwareRegistrationService service) {

    public static FirmwareRegistrationWiring fromEnvironment() {
        Environment env = Environment.system();
        return of(env, AwsClients.fromEnvironment(env), Clock.systemUTC());
    }

    public static FirmwareRegistrationWiring of(Environment env, AwsClients aws, Clock clock) {
        Settings settings = Settings.from(env);
        ObjectMapper json = ProtocolJson.newMapper();
        StructuredLog log = new StructuredLog(json, "firmware-registration");
        DynamoDbClient dynamo = aws.build(Service.DYNAMODB, DynamoDbClient.builder());
        S3Client s3 = aws.build(Service.S3, S3Client.builder().forcePathStyle(aws.s3PathStyle()));
        return new FirmwareRegistrationWiring(
                json,
                log,
                new FirmwareRegistrationService(
                        new DynamoDbFirmwareCatalog(dynamo, settings.tables()),
                        new S3FirmwareObjects(s3, settings.firmwareBucket()),
                        clock,
                        log));
    }
}
