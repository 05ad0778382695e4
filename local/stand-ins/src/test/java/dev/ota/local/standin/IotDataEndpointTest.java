package dev.ota.local.standin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.iotdataplane.model.PublishResponse;

class IotDataEndpointTest {

    private static MosquittoBroker broker;
    private static IotDataEndpoint endpoint;
    private static IotDataPlaneClient iotData;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        broker = new MosquittoBroker().start();
        endpoint = new IotDataEndpoint(broker).start();
        iotData = StandInClients.iotDataPlane(endpoint.endpoint());
    }

    @AfterAll
    static void stop() {
        iotData.close();
        endpoint.close();
        broker.close();
    }

    @Test
    void sdkPublishReachesMqttSubscribersOnPlainAndDollarTopics() throws Exception {
        long before = endpoint.publishCount();
        try (MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-d1")) {
            device.subscribe("ota/update/p1/d1", 1).subscribe("$ota/update/p1/d1", 1);

            PublishResponse response = iotData.publish(p -> p.topic("ota/update/p1/d1")
                    .qos(1)
                    .payload(SdkBytes.fromUtf8String("{\"type\":\"update_firmware\",\"version\":\"1.3.0\"}")));
            MqttTestClient.Received plain = device.next();

            iotData.publish(p -> p.topic("$ota/update/p1/d1")
                    .qos(1)
                    .payload(SdkBytes.fromUtf8String("{\"type\":\"report_version_rsp\",\"result_code\":0}")));
            MqttTestClient.Received dollar = device.next();

            assertThat(response.sdkHttpResponse().statusCode()).isEqualTo(200);
            assertThat(plain.topic()).isEqualTo("ota/update/p1/d1");
            assertThat(new String(plain.payload(), UTF_8))
                    .isEqualTo("{\"type\":\"update_firmware\",\"version\":\"1.3.0\"}");
            assertThat(plain.qos()).isEqualTo(1);
            assertThat(dollar.topic()).isEqualTo("$ota/update/p1/d1");
            assertThat(new String(dollar.payload(), UTF_8))
                    .isEqualTo("{\"type\":\"report_version_rsp\",\"result_code\":0}");
            assertThat(dollar.qos()).isEqualTo(1);
        }
        assertThat(endpoint.publishCount()).isEqualTo(before + 2);
    }

    @Test
    void qosZeroIsPassedThrough() throws Exception {
        try (MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-d2")) {
            device.subscribe("ota/update/p1/d2", 1);
            long atLeastOnce = endpoint.atLeastOnceCount();
            long all = endpoint.publishCount();
            iotData.publish(p -> p.topic("ota/update/p1/d2").qos(0).payload(SdkBytes.fromUtf8String("q0")));
            assertThat(device.next().qos()).isZero();
            assertThat(endpoint.publishCount()).isEqualTo(all + 1);
            assertThat(endpoint.atLeastOnceCount())
                    .as("QoS 0: no PUBACK to meter")
                    .isEqualTo(atLeastOnce);
            iotData.publish(p -> p.topic("ota/update/p1/d2").qos(1).payload(SdkBytes.fromUtf8String("q1")));
            assertThat(device.next().qos()).isEqualTo(1);
            assertThat(endpoint.atLeastOnceCount()).isEqualTo(atLeastOnce + 1);
        }
    }

    @Test
    void binaryPayloadArrivesByteForByte() throws Exception {
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        try (MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-d3")) {
            device.subscribe("ota/update/p1/d3", 1);
            iotData.publish(p -> p.topic("ota/update/p1/d3").qos(1).payload(SdkBytes.fromByteArray(payload)));
            assertThat(device.next().payload()).isEqualTo(payload);
        }
    }

    @Test
    void callWithoutAuthorizationHeaderIsRejectedAndNotPublished() throws Exception {
        long before = endpoint.publishCount();
        URI url = endpoint.endpoint().resolve("/topics/ota%2Fupdate%2Fp1%2Fd1?qos=1");

        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(url)
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(endpoint.publishCount()).isEqualTo(before);
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        HttpResponse<String> wrongPath = http.send(
                HttpRequest.newBuilder(endpoint.endpoint().resolve("/things/x/shadow"))
                        .header("Authorization", "x")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrongMethod = http.send(
                HttpRequest.newBuilder(endpoint.endpoint().resolve("/topics/a"))
                        .header("Authorization", "x")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(wrongPath.statusCode()).isEqualTo(404);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
    }

    @Test
    void parsesPublishQueryParameters() {
        assertThat(IotDataEndpoint.PublishParams.parse("qos=1")).isEqualTo(new IotDataEndpoint.PublishParams(1, false));
        assertThat(IotDataEndpoint.PublishParams.parse("qos=0&retain=true"))
                .isEqualTo(new IotDataEndpoint.PublishParams(0, true));
        assertThat(IotDataEndpoint.PublishParams.parse(null)).isEqualTo(new IotDataEndpoint.PublishParams(0, false));
        assertThat(IotDataEndpoint.PublishParams.parse("qos=x").qos()).isNegative();
    }
}
