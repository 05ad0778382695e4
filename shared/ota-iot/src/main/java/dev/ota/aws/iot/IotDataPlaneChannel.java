package dev.ota.aws.iot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.device.DeviceId;
import dev.ota.port.out.DeviceChannel;
import dev.ota.protocol.ProtocolJson;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;

/**
 * Publishes to a device's update topic through the IoT Data Plane: messages at QoS 1 as Tencent's
 * cloud does, answers the device asks for again at QoS 0 (no metered PUBACK). The topic comes from a template so the same code serves AWS ({@code ota/update/...}) and
 * brokers that carry {@code $ota/update/...}.
 */
public final class IotDataPlaneChannel implements DeviceChannel {

    private final IotDataPlaneClient iot;
    private final UpdateTopic topic;
    private final ObjectMapper json;

    public IotDataPlaneChannel(IotDataPlaneClient iot, UpdateTopic topic, ObjectMapper json) {
        this.iot = iot;
        this.topic = topic;
        this.json = json;
    }

    @Override
    public void send(DeviceId device, Object message) {
        publish(device, message, 1);
    }

    @Override
    public void answer(DeviceId device, Object message) {
        publish(device, message, 0);
    }

    private void publish(DeviceId device, Object message, int qos) {
        byte[] payload = ProtocolJson.toBytes(json, message);
        iot.publish(r -> r.topic(topic.of(device)).qos(qos).payload(SdkBytes.fromByteArrayUnsafe(payload)));
    }
}
