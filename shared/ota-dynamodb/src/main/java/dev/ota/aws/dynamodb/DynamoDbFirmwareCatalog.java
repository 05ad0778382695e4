package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.num;
import static dev.ota.aws.dynamodb.Attr.optNum;
import static dev.ota.aws.dynamodb.Attr.s;
import static dev.ota.aws.dynamodb.Attr.str;

import dev.ota.domain.Firmware;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.Page;
import dev.ota.port.out.FirmwareCatalog;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Firmware table: productId + version, unique per product. A reservation made by an upload holds
 * the version (status UPLOADING) with the declared size and md5sum, and the multipart upload's id
 * and layout, until registration settles it.
 */
public final class DynamoDbFirmwareCatalog implements FirmwareCatalog {

    private static final List<String> KEY = List.of("productId", "version");
    static final String BY_UPLOADING = "byUploading";
    static final String UPLOADING_KEY = "uploading";

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbFirmwareCatalog(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    private static Map<String, AttributeValue> key(String productId, String version) {
        return Map.of("productId", s(productId), "version", s(version));
    }

    @Override
    public Optional<Firmware> find(String productId, String version) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(tables.firmware())
                        .key(key(productId, version))
                        .consistentRead(true))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(firmware(item));
    }

    static Firmware firmware(Map<String, AttributeValue> item) {
        String state = str(item, "firmwareState");
        Instant registeredAt = Instant.ofEpochMilli(num(item, "registeredAt", 0));
        Long createdAt = optNum(item, "createdAt");
        return new Firmware(
                str(item, "productId"),
                str(item, "version"),
                str(item, "s3Key"),
                num(item, "fileSize", 0),
                str(item, "md5sum"),
                str(item, "sha256"),
                str(item, "description"),
                registeredAt,
                state == null ? Firmware.Status.AVAILABLE : Firmware.Status.valueOf(state),
                str(item, "rejectionReason"),
                createdAt == null ? registeredAt : Instant.ofEpochMilli(createdAt));
    }

    private static Map<String, AttributeValue> item(Firmware firmware, Upload upload) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("productId", s(firmware.productId()));
        item.put("version", s(firmware.version()));
        item.put("s3Key", s(firmware.s3Key()));
        item.put("fileSize", n(firmware.fileSize()));
        item.put("md5sum", s(firmware.md5sum()));
        if (firmware.sha256() != null) {
            item.put("sha256", s(firmware.sha256()));
        }
        item.put("description", s(firmware.description() == null ? "" : firmware.description()));
        item.put("registeredAt", n(firmware.registeredAt().toEpochMilli()));
        item.put("createdAt", n(firmware.createdAt().toEpochMilli()));
        item.put("firmwareState", s(firmware.status().name()));
        if (firmware.rejectionReason() != null) {
            item.put("rejectionReason", s(firmware.rejectionReason()));
        }
        if (firmware.status() == Firmware.Status.UPLOADING) {
            // The sparse byUploading index: reservations only; a settled record is put without it.
            item.put(UPLOADING_KEY, s(Firmware.Status.UPLOADING.name()));
        }
        if (upload != null) {
            item.put("uploadId", s(upload.uploadId()));
            item.put("partSize", n(upload.partSize()));
            item.put("partCount", n(upload.partCount()));
        }
        return item;
    }

    /** Registering the same object again (an S3 event delivered twice) is fine; another object under a taken version is not. */
    @Override
    public void save(Firmware firmware) {
        try {
            dynamo.putItem(r -> r.tableName(tables.firmware())
                    .item(item(firmware, null))
                    .conditionExpression("attribute_not_exists(#v) OR (#k = :k AND #m = :m)")
                    .expressionAttributeNames(Map.of("#v", "version", "#k", "s3Key", "#m", "md5sum"))
                    .expressionAttributeValues(Map.of(":k", s(firmware.s3Key()), ":m", s(firmware.md5sum()))));
        } catch (ConditionalCheckFailedException taken) {
            throw new InvalidMessageException("version " + firmware.version() + " of product " + firmware.productId()
                    + " is already registered with other content");
        }
    }

    @Override
    public boolean insert(Firmware firmware, Upload upload) {
        try {
            dynamo.putItem(r -> r.tableName(tables.firmware())
                    .item(item(firmware, upload))
                    .conditionExpression("attribute_not_exists(#v)")
                    .expressionAttributeNames(Map.of("#v", "version")));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    @Override
    public List<Firmware> uploadingSince(Instant cutoff, int limit) {
        return dynamo
                .query(r -> r.tableName(tables.firmware())
                        .indexName(BY_UPLOADING)
                        .keyConditionExpression("#u = :u AND #c < :c")
                        .expressionAttributeNames(Map.of("#u", UPLOADING_KEY, "#c", "createdAt"))
                        .expressionAttributeValues(
                                Map.of(":u", s(Firmware.Status.UPLOADING.name()), ":c", n(cutoff.toEpochMilli())))
                        .limit(limit))
                .items()
                .stream()
                .map(DynamoDbFirmwareCatalog::firmware)
                .toList();
    }

    @Override
    public Optional<Upload> upload(String productId, String version) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(tables.firmware())
                        .key(key(productId, version))
                        .consistentRead(true)
                        .projectionExpression("uploadId, partSize, partCount"))
                .item();
        if (item == null || str(item, "uploadId") == null) {
            return Optional.empty();
        }
        return Optional.of(
                new Upload(str(item, "uploadId"), num(item, "partSize", 0), (int) num(item, "partCount", 0)));
    }

    @Override
    public boolean settle(Firmware next, Firmware.Status expected) {
        // Records written before firmware had a status have no firmwareState: they are AVAILABLE.
        String stateCondition =
                expected == Firmware.Status.AVAILABLE ? "(#st = :st OR attribute_not_exists(#st))" : "#st = :st";
        try {
            dynamo.putItem(r -> r.tableName(tables.firmware())
                    .item(item(next, null))
                    .conditionExpression("attribute_exists(#v) AND " + stateCondition + " AND #k = :k")
                    .expressionAttributeNames(Map.of("#v", "version", "#st", "firmwareState", "#k", "s3Key"))
                    .expressionAttributeValues(Map.of(":st", s(expected.name()), ":k", s(next.s3Key()))));
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        }
    }

    /**
     * A Query on the product's partition (ordered by version), or a Scan of the whole table when no
     * product is given. One more item than asked is read, so the last page has no token.
     */
    @Override
    public Page<Firmware> list(String productId, String nextToken, int limit) {
        Map<String, AttributeValue> start = PageTokens.decode(nextToken, KEY);
        if (start != null
                && productId != null
                && !productId.equals(start.get("productId").s())) {
            throw PageTokens.invalid();
        }
        List<Map<String, AttributeValue>> items;
        Map<String, AttributeValue> lastEvaluated;
        if (productId != null) {
            var response = dynamo.query(r -> r.tableName(tables.firmware())
                    .keyConditionExpression("#p = :p")
                    .expressionAttributeNames(Map.of("#p", "productId"))
                    .expressionAttributeValues(Map.of(":p", s(productId)))
                    .exclusiveStartKey(start)
                    .limit(limit + 1));
            items = response.items();
            lastEvaluated = response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        } else {
            var response = dynamo.scan(
                    r -> r.tableName(tables.firmware()).exclusiveStartKey(start).limit(limit + 1));
            items = response.items();
            lastEvaluated = response.hasLastEvaluatedKey()
                            && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey()
                    : null;
        }
        if (items.size() > limit) {
            List<Map<String, AttributeValue>> page = items.subList(0, limit);
            return new Page<>(
                    page.stream().map(DynamoDbFirmwareCatalog::firmware).toList(),
                    PageTokens.encode(page.get(limit - 1), KEY));
        }
        return new Page<>(
                items.stream().map(DynamoDbFirmwareCatalog::firmware).toList(),
                lastEvaluated == null ? null : PageTokens.encode(lastEvaluated, KEY));
    }

    @Override
    public Optional<Firmware> editDescription(String productId, String version, String description) {
        try {
            Map<String, AttributeValue> updated = dynamo.updateItem(r -> r.tableName(tables.firmware())
                            .key(key(productId, version))
                            .updateExpression("SET #d = :d")
                            .conditionExpression("attribute_exists(#v)")
                            .expressionAttributeNames(Map.of("#d", "description", "#v", "version"))
                            .expressionAttributeValues(Map.of(":d", s(description)))
                            .returnValues(ReturnValue.ALL_NEW))
                    .attributes();
            return Optional.of(firmware(updated));
        } catch (ConditionalCheckFailedException absent) {
            return Optional.empty();
        }
    }

    @Override
    public boolean delete(String productId, String version) {
        try {
            dynamo.deleteItem(r -> r.tableName(tables.firmware())
                    .key(key(productId, version))
                    .conditionExpression("attribute_exists(#v)")
                    .expressionAttributeNames(Map.of("#v", "version")));
            return true;
        } catch (ConditionalCheckFailedException absent) {
            return false;
        }
    }
}
