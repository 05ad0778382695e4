package dev.ota.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** {@link SdkFloorHandler} plus what every function also does: the event parsed by Jackson. */
public final class JsonSdkFloorHandler extends SdkFloorHandler {
    private final ObjectMapper json = new ObjectMapper();

    @Override
    protected String deviceKey(byte[] event) throws IOException {
        JsonNode tree = json.readTree(event);
        return tree.path("productId").asText() + "::" + tree.path("deviceName").asText();
    }
}
