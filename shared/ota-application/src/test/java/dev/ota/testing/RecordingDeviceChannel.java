package dev.ota.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.device.DeviceId;
import dev.ota.port.out.DeviceChannel;
import dev.ota.protocol.ProtocolJson;
import dev.ota.protocol.UpdateFirmwareMessage;
import dev.ota.protocol.VersionReportResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Keeps every message sent, both as the object and as the JSON a device would receive. */
public final class RecordingDeviceChannel implements DeviceChannel {

    /** @param answer sent by {@link DeviceChannel#answer} (QoS 0 on AWS) rather than {@link DeviceChannel#send} */
    public record Sent(DeviceId device, Object message, String json, boolean answer) {}

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final List<Sent> sent = new ArrayList<>();

    @Override
    public void send(DeviceId device, Object message) {
        record(device, message, false);
    }

    @Override
    public void answer(DeviceId device, Object message) {
        record(device, message, true);
    }

    private void record(DeviceId device, Object message, boolean answer) {
        sent.add(new Sent(
                device, message, new String(ProtocolJson.toBytes(json, message), StandardCharsets.UTF_8), answer));
    }

    public List<Sent> sent() {
        return sent;
    }

    public List<Object> messages() {
        return sent.stream().map(Sent::message).toList();
    }

    public List<UpdateFirmwareMessage> updates() {
        return sent.stream()
                .map(Sent::message)
                .filter(UpdateFirmwareMessage.class::isInstance)
                .map(UpdateFirmwareMessage.class::cast)
                .toList();
    }

    public List<VersionReportResponse> responses() {
        return sent.stream()
                .map(Sent::message)
                .filter(VersionReportResponse.class::isInstance)
                .map(VersionReportResponse.class::cast)
                .toList();
    }

    /** The message types in the order they were sent, e.g. [report_version_rsp, update_firmware]. */
    public List<String> types() {
        return sent.stream()
                .map(s -> s.message() instanceof UpdateFirmwareMessage u
                        ? u.type()
                        : s.message() instanceof VersionReportResponse r
                                ? r.type()
                                : s.message().getClass().getSimpleName())
                .toList();
    }

    public void clear() {
        sent.clear();
    }
}
