package dev.ota.aws.dynamodb;

import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The Lambda-side client: built once per container, with the region and credentials Lambda puts
 * in the environment named explicitly, so the SDK skips its provider-chain probing at cold start.
 */
public final class DynamoDbClients {
    private DynamoDbClients() {}

    public static DynamoDbClient fromEnvironment() {
        return DynamoDbClient.builder()
                .region(Region.of(System.getenv("AWS_REGION")))
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
