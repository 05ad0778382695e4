package dev.ota.local.standin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

class LocalAwsTest {

    private static LocalAws local;

    @BeforeAll
    static void start() {
        local = LocalAws.start();
    }

    @AfterAll
    static void stop() {
        local.close();
    }

    @Test
    void exposesRegionCredentialsAndLoopbackEndpoints() {
        assertThat(local.region()).isEqualTo(Region.US_EAST_1);
        assertThat(local.credentialsProvider().resolveCredentials().accessKeyId())
                .isEqualTo("local");
        assertThat(local.s3Endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(local.dynamoDbEndpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(local.iotDataEndpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(local.mqttUrl()).startsWith("tcp://127.0.0.1:");
    }

    @Test
    void s3ClientAndPresignerWork() throws Exception {
        try (S3Client s3 = local.s3();
                S3Presigner presigner = local.s3Presigner()) {
            s3.createBucket(b -> b.bucket("local-aws-test"));
            s3.putObject(b -> b.bucket("local-aws-test").key("fw.bin"), RequestBody.fromString("firmware"));

            URI url = presigner
                    .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                            .getObjectRequest(r -> r.bucket("local-aws-test").key("fw.bin")))
                    .url()
                    .toURI();
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("firmware");
        }
    }

    @Test
    void dynamoDbClientTalksToMoto() {
        try (DynamoDbClient dynamo = local.dynamoDb()) {
            dynamo.createTable(t -> t.tableName("local-aws-test")
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));

            assertThat(dynamo.listTables().tableNames()).contains("local-aws-test");
        }
    }

    @Test
    void iotDataPlanePublishReachesMqttClients() throws Exception {
        try (IotDataPlaneClient iot = local.iotDataPlane();
                MqttTestClient device = new MqttTestClient(local.mqttUrl(), "p9-d9")) {
            device.subscribe("$ota/update/p9/d9", 1);

            iot.publish(p -> p.topic("$ota/update/p9/d9").qos(1).payload(SdkBytes.fromUtf8String("hi")));

            MqttTestClient.Received received = device.next();
            assertThat(received.topic()).isEqualTo("$ota/update/p9/d9");
            assertThat(new String(received.payload(), UTF_8)).isEqualTo("hi");
        }
        assertThat(local.iotDataServer().publishCount()).isPositive();
    }

    @Test
    void startsOnFixedPortsAndFreesThemOnClose() throws IOException {
        int[] free = distinctFreePorts(4);
        LocalAws.Ports ports = new LocalAws.Ports(free[0], free[1], free[2], free[3]);
        LocalAws fixed = LocalAws.start(ports);
        try {
            assertThat(fixed.s3Endpoint().getPort()).isEqualTo(ports.s3());
            assertThat(fixed.dynamoDbEndpoint().getPort()).isEqualTo(ports.dynamoDb());
            assertThat(fixed.mqttUrl()).isEqualTo("tcp://127.0.0.1:" + ports.mqtt());
            assertThat(fixed.iotDataEndpoint().getPort()).isEqualTo(ports.iotData());
            assertThat(accepts(ports.s3())).isTrue();
            assertThat(accepts(ports.dynamoDb())).isTrue();
            assertThat(accepts(ports.mqtt())).isTrue();
            assertThat(accepts(ports.iotData())).isTrue();
        } finally {
            fixed.close();
        }
        assertThat(accepts(ports.s3())).isFalse();
        assertThat(accepts(ports.dynamoDb())).isFalse();
        assertThat(accepts(ports.mqtt())).isFalse();
        assertThat(accepts(ports.iotData())).isFalse();
        assertThatThrownBy(fixed::s3Endpoint).isInstanceOf(IllegalStateException.class);
    }

    // Held open together, so the OS cannot hand out the same port twice.
    private static int[] distinctFreePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            }
            return Arrays.stream(sockets).mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
