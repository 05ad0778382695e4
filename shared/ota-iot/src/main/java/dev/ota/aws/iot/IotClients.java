package dev.ota.aws.iot;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

/**
 * The data-plane client on the account's iot:Data-ATS endpoint, passed in as a template parameter:
 * calling DescribeEndpoint at every cold start gets throttled.
 */
public final class IotClients {
    private IotClients() {}

    public static IotDataPlaneClient dataPlaneFromEnvironment(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalStateException("IOT_DATA_ENDPOINT is not set");
        }
        return IotDataPlaneClient.builder()
                .region(Region.of(System.getenv("AWS_REGION")))
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint))
                .build();
    }
}
