package dev.ota.local.stack;

import dev.ota.local.standin.StandInClients;
import dev.ota.aws.presign.PresignConfig;
import java.net.URI;

import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What the local stack wires its functions with: the stand-ins' SDK clients ({@link StandInClients},
 * which know nothing of OTA), and the presigning configuration the device-path functions mint
 * download URLs with ({@link PresignConfig}, from ota-presign). The caller closes what it gets.
 */
public final class LocalClients {

    public static final Region REGION = StandInClients.REGION;
    public static final StaticCredentialsProvider CREDENTIALS = StandInClients.CREDENTIALS;

    private LocalClients() {
    }

    /** Calls to one DynamoDB endpoint go one at a time (see {@link StandInClients#dynamoDb(URI, ClientOverrideConfiguration)}). */
    public static DynamoDbClient dynamoDb(URI endpoint, ClientOverrideConfiguration overrides) {
        return StandInClients.dynamoDb(endpoint, overrides);
    }

    /** SQS on moto_server (the same endpoint as DynamoDB). */
    public static SqsClient sqs(URI endpoint, ClientOverrideConfiguration overrides) {
        return StandInClients.sqs(endpoint, overrides);
    }

    /** Path-style. */
    public static S3Client s3(URI endpoint, ClientOverrideConfiguration overrides) {
        return StandInClients.s3(endpoint, overrides);
    }

    /** Path-style; the URLs it makes are checked by s3proxy as AWS would (signature and expiry). */
    public static S3Presigner s3Presigner(URI endpoint) {
        return StandInClients.s3Presigner(endpoint);
    }

    public static IotDataPlaneClient iotDataPlane(URI endpoint, ClientOverrideConfiguration overrides) {
        return StandInClients.iotDataPlane(endpoint, overrides);
    }

    /**
     * What the device-path functions presign download URLs with (their SigV4DownloadUrlMinter):
     * path-style on the local endpoint, checked by s3proxy as AWS would (signature and expiry).
     */
    public static PresignConfig presignConfig(URI endpoint) {
        return PresignConfig.of(REGION, CREDENTIALS).withEndpoint(endpoint, true);
    }
}
