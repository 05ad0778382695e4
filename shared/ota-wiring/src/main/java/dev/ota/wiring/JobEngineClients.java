package dev.ota.wiring;

import dev.ota.aws.presign.PresignConfig;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The clients the job engine calls: the tables, the firmware bucket, the device topics and the URL signing. */
public record JobEngineClients(DynamoDbClient dynamo, S3Client s3, IotDataPlaneClient iot, PresignConfig presign) {

    public static JobEngineClients of(AwsClients aws) {
        return new JobEngineClients(
                aws.build(Service.DYNAMODB, DynamoDbClient.builder()),
                aws.build(Service.S3, S3Client.builder().forcePathStyle(aws.s3PathStyle())),
                aws.build(Service.IOT_DATA, IotDataPlaneClient.builder()),
                aws.presignConfig());
    }
}
