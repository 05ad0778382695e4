package dev.ota.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Secondary-index writes, measured by comparing every global secondary index's entries before and
 * after a step: DynamoDB bills an index write (per KB) for each entry an item write adds, removes or
 * changes; an index-key change is a delete and a put, two writes. An update that changes no key and
 * no projected attribute costs the index nothing. The local stand-in keeps each index with its
 * declared projection. A step that writes the same item twice is counted once: a lower bound.
 */
final class IndexWrites {

    private final DynamoDbClient dynamo;
    private final List<String> tables;

    IndexWrites(DynamoDbClient dynamo, List<String> tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    /** Every index entry, by table, index and the item's primary key. */
    Map<String, Entry> snapshot() {
        Map<String, Entry> entries = new HashMap<>();
        for (String table : tables) {
            TableDescription d = dynamo.describeTable(r -> r.tableName(table)).table();
            List<String> tableKey =
                    d.keySchema().stream().map(KeySchemaElement::attributeName).toList();
            for (GlobalSecondaryIndexDescription index : d.globalSecondaryIndexes()) {
                List<String> indexKey = index.keySchema().stream()
                        .map(KeySchemaElement::attributeName)
                        .toList();
                dynamo.scanPaginator(r -> r.tableName(table).indexName(index.indexName()))
                        .items()
                        .forEach(item -> entries.put(
                                table + "/" + index.indexName() + "/" + pick(item, tableKey),
                                new Entry(pick(item, indexKey), item)));
            }
        }
        return entries;
    }

    /** Index write units between two snapshots. */
    static long between(Map<String, Entry> before, Map<String, Entry> after) {
        long writes = 0;
        for (Map.Entry<String, Entry> e : after.entrySet()) {
            Entry old = before.get(e.getKey());
            if (old == null) {
                writes++;
            } else if (!old.key().equals(e.getValue().key())) {
                writes += 2;
            } else if (!old.item().equals(e.getValue().item())) {
                writes++;
            }
        }
        for (String key : before.keySet()) {
            if (!after.containsKey(key)) {
                writes++;
            }
        }
        return writes;
    }

    record Entry(Map<String, AttributeValue> key, Map<String, AttributeValue> item) {}

    private static Map<String, AttributeValue> pick(Map<String, AttributeValue> item, List<String> names) {
        Map<String, AttributeValue> picked = new HashMap<>();
        names.forEach(n -> picked.put(n, Objects.requireNonNull(item.get(n), n)));
        return picked;
    }
}
