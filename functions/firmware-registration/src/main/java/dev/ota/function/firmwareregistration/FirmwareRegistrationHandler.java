package dev.ota.function.firmwareregistration;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.app.FirmwareRegistrationService;
import dev.ota.app.FirmwareRegistrationService.Registration;
import dev.ota.domain.Firmware;
import dev.ota.domain.InvalidMessageException;
import dev.ota.function.support.HandlerResponse;
import dev.ota.log.StructuredLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers firmware from the bucket. Takes either an S3 ObjectCreated notification (keys laid
 * out as {@code firmware/{productId}/{version}/{file}}) or a direct request
 * {@code {"productId","version","s3Key","md5sum"?,"description"?}}. A version reserved by the
 * management API's upload is checked against the declared md5sum and size and settles as
 * AVAILABLE or REJECTED (outcome REJECTED, with the reason).
 */
public final class FirmwareRegistrationHandler implements RequestStreamHandler {

    private final ObjectMapper json;
    private final StructuredLog log;
    private final FirmwareRegistrationService service;

    /** Lambda's constructor: the wiring is built here, once per container. */
    public FirmwareRegistrationHandler() {
        this(FirmwareRegistrationWiring.fromEnvironment());
    }

    public FirmwareRegistrationHandler(FirmwareRegistrationWiring wiring) {
        this.json = wiring.json();
        this.log = wiring.log();
        this.service = wiring.service();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ArrayNode registered = json.createArrayNode();
        List<String> rejections = new ArrayList<>();
        try {
            JsonNode root = json.readTree(input);
            List<Firmware> results = new ArrayList<>();
            if (root != null && root.has("Records")) {
                for (JsonNode record : root.get("Records")) {
                    String key = URLDecoder.decode(
                            record.path("s3").path("object").path("key").asText(), StandardCharsets.UTF_8);
                    results.add(service.register(Registration.fromKey(key)));
                }
            } else {
                results.add(service.register(direct(root)));
            }
            for (Firmware f : results) {
                registered.addPOJO(describe(f));
                if (f.status() == Firmware.Status.REJECTED) {
                    rejections.add(f.productId() + " " + f.version() + ": " + f.rejectionReason());
                }
            }
        } catch (InvalidMessageException | JsonProcessingException e) {
            String reason = e instanceof InvalidMessageException ? e.getMessage() : "malformed JSON: " + e.getMessage();
            log.warn("firmware_registration_rejected", "reason", reason);
            HandlerResponse.rejected(json, output, reason);
            return;
        }
        // An upload whose bytes do not match what the operator declared is recorded as REJECTED (not retried).
        ObjectNode response = json.createObjectNode().put("outcome", rejections.isEmpty() ? "REGISTERED" : "REJECTED");
        if (!rejections.isEmpty()) {
            response.put("reason", String.join("; ", rejections));
        }
        json.writeValue(output, response.set("firmware", registered));
    }

    private static Registration direct(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidMessageException("request must be a JSON object or an S3 event");
        }
        return new Registration(
                text(root, "productId", true),
                text(root, "version", true),
                text(root, "s3Key", true),
                text(root, "md5sum", false),
                text(root, "description", false));
    }

    private static String text(JsonNode root, String field, boolean required) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new InvalidMessageException(field + " is missing");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidMessageException(field + " must be a string");
        }
        return value.textValue();
    }

    private static Map<String, Object> describe(Firmware f) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("productId", f.productId());
        d.put("version", f.version());
        d.put("status", f.status().name());
        d.put("s3Key", f.s3Key());
        d.put("fileSize", f.fileSize());
        d.put("md5sum", f.md5sum());
        d.put("sha256", f.sha256());
        if (f.rejectionReason() != null) {
            d.put("rejectionReason", f.rejectionReason());
        }
        return d;
    }
}
