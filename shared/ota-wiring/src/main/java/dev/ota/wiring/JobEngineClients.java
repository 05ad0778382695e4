package dev.ota.wiring;

import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.function.support.DownloadUrls;
import dev.ota.function.support.Settings;
import dev.ota.port.out.DownloadUrlMinter;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The clients the job engine calls: the tables, the firmware bucket, the device topics and the download URLs. */
public record JobEngineClients(
        DynamoDbClient dynamo, S3Client s3, IotDataPlaneClient iot, DownloadUrlMinter downloads) {

    public static JobEngineClients of(Settings settings, AwsClients aws) {
        return of(settings, aws, Clock.systemUTC());
    }

    /** @param clock the time download URLs' expiry counts from */
    public static JobEngineClients of(Settings settings, AwsClients aws, Clock clock) {
        return new JobEngineClients(
                aws.build(Service.DYNAMODB, DynamoDbClient.builder()),
                aws.build(Service.S3, S3Client.builder().forcePathStyle(aws.s3PathStyle())),
                aws.build(Service.IOT_DATA, IotDataPlaneClient.builder()),
                DownloadUrls.minter(settings, aws, clock));
    }
}
