package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.num;
import static dev.ota.aws.dynamodb.Attr.s;
import static dev.ota.aws.dynamodb.Attr.str;

import dev.ota.domain.Firmware;
import dev.ota.port.FirmwareCatalog;
import dev.ota.protocol.InvalidMessageException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** Firmware table: productId + version, unique per product. */
public final class DynamoDbFirmwareCatalog implements FirmwareCatalog {

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbFirmwareCatalog(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    @Override
    public Optional<Firmware> find(String productId, String version) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(tables.firmware())
                .key(Map.of("productId", s(productId), "version", s(version)))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        String state = str(item, "firmwareState");
        return Optional.of(new Firmware(productId, version, str(item, "s3Key"), num(item, "fileSize", 0), str(item, "md5sum"),
                str(item, "sha256"), str(item, "description"), Instant.ofEpochMilli(num(item, "registeredAt", 0)),
                state == null ? Firmware.Status.AVAILABLE : Firmware.Status.valueOf(state), str(item, "rejectionReason")));
    }

    /** Registering the same object again (an S3 event delivered twice) is fine; another object under a taken version is not. */
    @Override
    public void save(Firmware firmware) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("productId", s(firmware.productId()));
        item.put("version", s(firmware.version()));
        item.put("s3Key", s(firmware.s3Key()));
        item.put("fileSize", n(firmware.fileSize()));
        item.put("md5sum", s(firmware.md5sum()));
        item.put("sha256", s(firmware.sha256()));
        item.put("description", s(firmware.description()));
        item.put("registeredAt", n(firmware.registeredAt().toEpochMilli()));
        item.put("firmwareState", s(firmware.status().name()));
        if (firmware.rejectionReason() != null) {
            item.put("rejectionReason", s(firmware.rejectionReason()));
        }
        try {
            dynamo.putItem(r -> r.tableName(tables.firmware()).item(item)
                    .conditionExpression("attribute_not_exists(#v) OR (#k = :k AND #m = :m)")
                    .expressionAttributeNames(Map.of("#v", "version", "#k", "s3Key", "#m", "md5sum"))
                    .expressionAttributeValues(Map.of(":k", s(firmware.s3Key()), ":m", s(firmware.md5sum()))));
        } catch (ConditionalCheckFailedException taken) {
            throw new InvalidMessageException("version " + firmware.version() + " of product " + firmware.productId()
                    + " is already registered with other content");
        }
    }
}
