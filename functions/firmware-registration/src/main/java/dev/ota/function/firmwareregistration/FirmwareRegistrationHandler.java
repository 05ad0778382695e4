package dev.ota.function.firmwareregistration;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.ota.app.FirmwareRegistrationService;
import dev.ota.app.FirmwareRegistrationService.Registration;
import dev.ota.app.HandlerResponse;
import dev.ota.aws.dynamodb.DynamoDbClients;
import dev.ota.aws.dynamodb.DynamoDbFirmwareCatalog;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.s3.S3Clients;
import dev.ota.aws.s3.S3FirmwareObjects;
import dev.ota.config.Settings;
import dev.ota.domain.Firmware;
import dev.ota.log.StructuredLog;
import dev.ota.protocol.InvalidMessageException;
import dev.ota.protocol.ProtocolJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Registers firmware from the bucket. Takes either an S3 ObjectCreated notification (keys laid
 * out as {@code firmware/{productId}/{version}/{file}}) or a direct request
 * {@code {"productId","version","s3Key","md5sum"?,"description"?}}.
 */
public final class FirmwareRegistrationHandler implements RequestStreamHandler {

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final StructuredLog log = new StructuredLog(json, "firmware-registration");
    private final FirmwareRegistrationService service;

    public FirmwareRegistrationHandler() {
        this(Settings.fromEnvironment(), DynamoDbClients.fromEnvironment(), S3Clients.clientFromEnvironment());
    }

    public FirmwareRegistrationHandler(Settings settings, DynamoDbClient dynamo, S3Client s3) {
        this.service = new FirmwareRegistrationService(
                new DynamoDbFirmwareCatalog(dynamo, Tables.of(settings)),
                new S3FirmwareObjects(s3, settings.firmwareBucket()),
                Clock.systemUTC(),
                log);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ArrayNode registered = json.createArrayNode();
        try {
            JsonNode root = json.readTree(input);
            if (root != null && root.has("Records")) {
                for (JsonNode record : root.get("Records")) {
                    String key = URLDecoder.decode(record.path("s3").path("object").path("key").asText(), StandardCharsets.UTF_8);
                    registered.addPOJO(describe(service.register(Registration.fromKey(key))));
                }
            } else {
                registered.addPOJO(describe(service.register(direct(root))));
            }
        } catch (InvalidMessageException | com.fasterxml.jackson.core.JsonProcessingException e) {
            String reason = e instanceof InvalidMessageException ? e.getMessage() : "malformed JSON: " + e.getMessage();
            log.warn("firmware_registration_rejected", "reason", reason);
            HandlerResponse.rejected(json, output, reason);
            return;
        }
        json.writeValue(output, json.createObjectNode().put("outcome", "REGISTERED").set("firmware", registered));
    }

    private static Registration direct(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidMessageException("request must be a JSON object or an S3 event");
        }
        return new Registration(text(root, "productId", true), text(root, "version", true), text(root, "s3Key", true),
                text(root, "md5sum", false), text(root, "description", false));
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

    private static java.util.Map<String, Object> describe(Firmware f) {
        return java.util.Map.of("productId", f.productId(), "version", f.version(), "s3Key", f.s3Key(),
                "fileSize", f.fileSize(), "md5sum", f.md5sum(), "sha256", f.sha256());
    }
}
