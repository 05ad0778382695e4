package dev.ota.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The cold-start floor of a device-path function with the AWS SDK for Java v2: INIT builds one
 * DynamoDB client as ours are built (url-connection client, region and credentials from the
 * environment, the endpoint overridden), and the event does one GetItem. Nothing of ours.
 */
public class SdkFloorHandler implements RequestStreamHandler {
    private final DynamoDbClient dynamo = DynamoDbClient.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.of(System.getenv("AWS_REGION")))
            .credentialsProvider(EnvironmentVariableCredentialsProvider.create())
            .endpointOverride(URI.create(System.getenv("AWS_ENDPOINT_URL_DYNAMODB")))
            .build();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws java.io.IOException {
        String key = deviceKey(input.readAllBytes());
        GetItemResponse item = dynamo.getItem(
                r -> r.tableName(System.getenv("DEVICES_TABLE")).key(Map.of("deviceKey", AttributeValue.fromS(key))));
        output.write(("{\"found\":" + item.hasItem() + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** The item's key: fixed here; {@link JsonSdkFloorHandler} reads it from the event. */
    protected String deviceKey(byte[] event) throws java.io.IOException {
        return "BENCH::bench-1";
    }
}
