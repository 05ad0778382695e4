package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.s;

import dev.ota.port.out.DeviceDirectory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** A product's devices by version: the Devices table's {@code byProductVersion} index (productId, currentVersion). */
public final class DynamoDbDeviceDirectory implements DeviceDirectory {

    public static final String BY_PRODUCT_VERSION = "byProductVersion";
    private static final List<String> KEY_NAMES =
            List.of(DeviceItem.KEY, DeviceItem.PRODUCT_ID, DeviceItem.CURRENT_VERSION);

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbDeviceDirectory(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    @Override
    public DevicePage page(String productId, String version, String start, int limit) {
        Map<String, String> names = new HashMap<>(
                Map.of("#p", DeviceItem.PRODUCT_ID, "#n", DeviceItem.DEVICE_NAME, "#v", DeviceItem.CURRENT_VERSION));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":p", s(productId)));
        String condition = "#p = :p";
        if (version != null) {
            condition += " AND #v = :v";
            values.put(":v", s(version));
        }
        String keyCondition = condition;
        QueryResponse page = dynamo.query(r -> r.tableName(tables.devices())
                .indexName(BY_PRODUCT_VERSION)
                .keyConditionExpression(keyCondition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .projectionExpression("#n, #v, #p, deviceKey")
                .limit(limit)
                .exclusiveStartKey(PageTokens.decode(start, KEY_NAMES)));
        List<Listed> devices = page.items().stream()
                .filter(i -> i.containsKey(DeviceItem.DEVICE_NAME))
                .map(i -> new Listed(
                        i.get(DeviceItem.DEVICE_NAME).s(),
                        i.containsKey(DeviceItem.CURRENT_VERSION)
                                ? i.get(DeviceItem.CURRENT_VERSION).s()
                                : null))
                .toList();
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        return new DevicePage(devices, last == null || last.isEmpty() ? null : PageTokens.encode(last, KEY_NAMES));
    }
}
