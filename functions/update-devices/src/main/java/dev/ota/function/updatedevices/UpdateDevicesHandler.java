package dev.ota.function.updatedevices;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.Priming;
import dev.ota.app.UpdateDevicesRequest;
import dev.ota.app.UpdateDevicesResult;
import dev.ota.app.UpdateDevicesService;
import dev.ota.app.UpdateSender;
import dev.ota.domain.InvalidMessageException;
import dev.ota.function.support.HandlerResponse;
import dev.ota.function.support.Observability;
import dev.ota.log.StructuredLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * Invoked directly ({@code aws lambda invoke}, {@code sam local invoke}): "update these devices
 * of this product to firmware version X". The answer comes after every device that can take the
 * update was sent it: the job is one of the job engine's, rolled out within the call
 * ({@link UpdateDevicesService}); the scheduler does the rest.
 */
public final class UpdateDevicesHandler implements RequestStreamHandler, Resource {

    /** The request parsed while priming: a product no one has, so nothing it names exists. */
    static final byte[] PRIMING_REQUEST = ("{\"productId\":\"" + Priming.DEVICE.productId() + "\",\"version\":\""
                    + Priming.FIRMWARE.version() + "\",\"deviceNames\":[\"" + Priming.DEVICE.deviceName() + "\"]}")
            .getBytes(StandardCharsets.UTF_8);

    private final ObjectMapper json;
    private final StructuredLog log;
    private final UpdateDevicesService service;
    private final Observability observability;
    private final UpdateSender updates;

    /** Lambda's constructor: the wiring is built here, once per container. */
    public UpdateDevicesHandler() {
        this(UpdateDevicesWiring.fromEnvironment());
        Core.getGlobalContext().register(this);
    }

    public UpdateDevicesHandler(UpdateDevicesWiring wiring) {
        this.observability = wiring.observability();
        this.json = wiring.json();
        this.log = wiring.log();
        this.service = wiring.service();
        this.updates = wiring.updates();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        try (Observability.Invocation ignored = observability.begin(context)) {
            update(input, output);
        }
    }

    private void update(InputStream input, OutputStream output) throws IOException {
        UpdateDevicesResult result;
        try {
            result = service.update(UpdateDevicesRequest.fromJson(json.readTree(input)));
        } catch (InvalidMessageException | JsonProcessingException e) {
            String reason = e instanceof InvalidMessageException ? e.getMessage() : "malformed JSON: " + e.getMessage();
            log.warn("update_devices_rejected", "reason", reason);
            HandlerResponse.rejected(json, output, reason);
            return;
        }
        json.writeValue(output, result);
    }

    /**
     * Before a SnapStart snapshot: parses a request, reads the firmware and the job of a product no
     * one has, mints a download URL and writes a result, so restored containers start with that path
     * loaded. Reads only; nothing written, nothing sent.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) throws IOException {
        UpdateDevicesRequest.fromJson(json.readTree(PRIMING_REQUEST));
        service.prime();
        updates.message(Priming.FIRMWARE);
        json.writeValueAsBytes(new UpdateDevicesResult("prime", Priming.FIRMWARE.version(), List.of(), Map.of()));
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: credentials come from the restored environment on each call.
    }
}
