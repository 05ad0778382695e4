package dev.ota.local.standin;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SDK v2 clients pointed at a local stand-in: us-east-1, the local static key pair, the
 * url-connection HTTP client (named explicitly, so an apache or netty client elsewhere on the
 * classpath cannot make the SDK's choice ambiguous). The caller closes what it gets.
 * The overloads taking a {@link ClientOverrideConfiguration} let callers add interceptors or retries.
 */
public final class StandInClients {

    public static final Region REGION = Region.US_EAST_1;
    public static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY));

    private static final ClientOverrideConfiguration NO_OVERRIDES =
            ClientOverrideConfiguration.builder().build();

    private StandInClients() {}

    public static DynamoDbClient dynamoDb(URI endpoint) {
        return dynamoDb(endpoint, NO_OVERRIDES);
    }

    /** moto_server makes each call atomic itself (MotoServer), so calls go out concurrently. */
    public static DynamoDbClient dynamoDb(URI endpoint, ClientOverrideConfiguration overrides) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(overrides)
                .build();
    }

    /** SQS on moto_server (the same endpoint as DynamoDB: moto routes by the request's service). */
    public static SqsClient sqs(URI endpoint, ClientOverrideConfiguration overrides) {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(overrides)
                .build();
    }

    /** Path-style, because s3proxy on 127.0.0.1 has no per-bucket host names. */
    public static S3Client s3(URI endpoint) {
        return s3(endpoint, NO_OVERRIDES);
    }

    public static S3Client s3(URI endpoint, ClientOverrideConfiguration overrides) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(CREDENTIALS)
                .forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(overrides)
                .build();
    }

    /** Path-style; the URLs it makes are checked by s3proxy as AWS would (signature and expiry). */
    public static S3Presigner s3Presigner(URI endpoint) {
        return S3Presigner.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(CREDENTIALS)
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    /**
     * The AWS IoT control plane (things, certificates, policies) on moto_server, the same endpoint
     * as DynamoDB.
     */
    public static IotClient iot(URI endpoint) {
        return IotClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    public static IotDataPlaneClient iotDataPlane(URI endpoint) {
        return iotDataPlane(endpoint, NO_OVERRIDES);
    }

    public static IotDataPlaneClient iotDataPlane(URI endpoint, ClientOverrideConfiguration overrides) {
        return IotDataPlaneClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(overrides)
                .build();
    }
}
