package dev.ota.local.stack;

import dev.ota.aws.presign.PresignConfig;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.local.standin.LocalAws;
import dev.ota.local.standin.StandInClients;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How the local stack's functions reach the stand-ins: the OTA side of {@link StandInClients},
 * which knows nothing of OTA.
 */
public final class LocalClients {

    private LocalClients() {}

    /**
     * A function's clients on the stand-ins: DynamoDB and SQS on moto_server (which makes each call
     * atomic itself, see MotoServer: no client-side serializing), S3 path-style on s3proxy, the IoT
     * Data Plane on its endpoint.
     * Callers add interceptors and where download URLs are served.
     */
    public static AwsClients.Builder functionClients(LocalAws aws) {
        return functionClients(aws, StandInClients.CREDENTIALS);
    }

    /** The same, as other credentials (a function's role: the local key pair with a session token naming the role). */
    public static AwsClients.Builder functionClients(LocalAws aws, AwsCredentialsProvider credentials) {
        return AwsClients.builder(StandInClients.REGION, credentials)
                .endpoint(Service.DYNAMODB, aws.dynamoDbEndpoint())
                .endpoint(Service.SQS, aws.dynamoDbEndpoint())
                .endpoint(Service.S3, aws.s3Endpoint())
                .endpoint(Service.IOT_DATA, aws.iotDataEndpoint())
                .endpoint(Service.EVENTBRIDGE, aws.dynamoDbEndpoint())
                .endpoint(Service.SECRETS_MANAGER, aws.dynamoDbEndpoint())
                .endpoint(Service.IOT, aws.dynamoDbEndpoint())
                .s3PathStyle(true);
    }

    /** Download URLs presigned on s3proxy's own endpoint, path-style: checked by s3proxy as AWS would. */
    public static PresignConfig presignConfig(URI endpoint) {
        return PresignConfig.of(StandInClients.REGION, StandInClients.CREDENTIALS)
                .withEndpoint(endpoint, true);
    }
}
