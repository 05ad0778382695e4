package dev.ota.function.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.aws.presign.PresignConfig;
import dev.ota.function.support.AwsClients.Service;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

class AwsClientsTest {

    private static final StaticCredentialsProvider KEYS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "secret"));

    @Test
    void lambdasClientsComeFromItsEnvironment() {
        AwsClients aws = AwsClients.fromEnvironment(Environment.of(
                Map.of("AWS_REGION", "eu-west-1", "IOT_DATA_ENDPOINT", "abc123-ats.iot.eu-west-1.amazonaws.com")));

        assertThat(aws.region()).isEqualTo(Region.EU_WEST_1);
        assertThat(aws.endpoint(Service.IOT_DATA))
                .isEqualTo(URI.create("https://abc123-ats.iot.eu-west-1.amazonaws.com"));
        assertThat(aws.endpoint(Service.S3)).as("AWS's own S3 endpoint").isNull();
        PresignConfig presign = aws.presignConfig();
        assertThat(presign.region()).isEqualTo(Region.EU_WEST_1);
        assertThat(presign.endpointOverride()).isNull();
        assertThat(presign.pathStyle()).isFalse();
    }

    @Test
    void aFunctionWithoutARegionStopsAtInit() {
        assertThatThrownBy(() -> AwsClients.fromEnvironment(Environment.of(Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AWS_REGION");
    }

    @Test
    void theIotDataPlaneNeedsItsEndpoint() {
        AwsClients aws = AwsClients.builder(Region.EU_WEST_1, KEYS).build();

        assertThatThrownBy(() -> aws.build(Service.IOT_DATA, DynamoDbClient.builder()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("IOT_DATA_ENDPOINT");
    }

    @Test
    void clientsGetTheRegionEndpointAndCredentialsAndAreClosedTogether() {
        URI local = URI.create("http://127.0.0.1:4566");
        try (AwsClients aws = AwsClients.builder(Region.US_EAST_1, KEYS)
                .endpoint(Service.DYNAMODB, local)
                .s3PathStyle(true)
                .downloadUrlsServedAs(url -> URI.create("http://127.0.0.1/served"))
                .build()) {
            DynamoDbClient dynamo = aws.build(Service.DYNAMODB, DynamoDbClient.builder());

            assertThat(dynamo.serviceClientConfiguration().region()).isEqualTo(Region.US_EAST_1);
            assertThat(dynamo.serviceClientConfiguration().endpointOverride()).contains(local);
            assertThat(aws.presignConfig().pathStyle()).isTrue();
            assertThat(aws.presignConfig().servedAs().apply(URI.create("http://signed")))
                    .isEqualTo(URI.create("http://127.0.0.1/served"));
        }
    }
}
