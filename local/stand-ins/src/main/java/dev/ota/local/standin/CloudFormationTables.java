package dev.ota.local.standin;

import dev.ota.local.standin.CloudFormationYaml.Intrinsic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;

/**
 * The DynamoDB tables a CloudFormation (or SAM) template declares ({@code AWS::DynamoDB::Table}),
 * and their creation on a DynamoDB endpoint such as {@link MotoServer}: key schema, attribute
 * types, secondary indexes and their projections, as declared.
 *
 * <p>A table is named by its logical id, as a local stack names it (locally, {@code !Ref} of a
 * table gives its logical id); a {@code TableName} property is not used. Only the table's shape is
 * read; billing (always on-demand here), encryption, recovery, streams and TTL are not modelled.
 * Intrinsics inside the shape are resolved only as far as that needs: {@code !Ref} of a parameter
 * and {@code !Sub} of parameters, from the parameters' defaults and the overrides given.
 */
public final class CloudFormationTables {

    private static final String TABLE_TYPE = "AWS::DynamoDB::Table";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9:._]+)}");

    private CloudFormationTables() {}

    /** One element of a key schema: attribute, its type (S, N, B) and HASH or RANGE. */
    public record Key(String attribute, String type, String keyType) {}

    /** ALL, KEYS_ONLY, or INCLUDE with its non-key attributes. */
    public record Projection(String type, List<String> nonKeyAttributes) {
        public static final Projection ALL = new Projection("ALL", List.of());

        public Projection {
            nonKeyAttributes = List.copyOf(nonKeyAttributes);
        }
    }

    public record Index(String name, List<Key> keys, Projection projection) {
        public Index {
            keys = List.copyOf(keys);
        }
    }

    /** A table: its logical id (the local table name), key schema, global and local secondary indexes. */
    public record Table(String logicalId, List<Key> keys, List<Index> globalIndexes, List<Index> localIndexes) {
        public Table {
            keys = List.copyOf(keys);
            globalIndexes = List.copyOf(globalIndexes);
            localIndexes = List.copyOf(localIndexes);
        }
    }

    /** The tables the template file declares, in template order. */
    public static List<Table> declaredIn(Path template) {
        return declaredIn(CloudFormationYaml.load(template), Map.of());
    }

    /**
     * The tables a template read by {@link CloudFormationYaml#load} declares, in template order.
     *
     * @param parameterOverrides parameter values that replace the template's defaults
     */
    public static List<Table> declaredIn(Map<String, Object> template, Map<String, String> parameterOverrides) {
        Map<String, String> parameters = new LinkedHashMap<>();
        map(template.get("Parameters")).forEach((name, spec) -> {
            Object fallback = map(spec).get("Default");
            parameters.put(name, fallback == null ? null : String.valueOf(fallback));
        });
        parameters.putAll(parameterOverrides);
        List<Table> tables = new ArrayList<>();
        map(template.get("Resources")).forEach((id, resource) -> {
            if (TABLE_TYPE.equals(map(resource).get("Type"))) {
                tables.add(table(id, map(map(resource).get("Properties")), parameters));
            }
        });
        return tables;
    }

    private static Table table(String id, Map<String, Object> props, Map<String, String> parameters) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Object def : list(props.get("AttributeDefinitions"))) {
            types.put(text(map(def).get("AttributeName"), parameters), text(map(def).get("AttributeType"), parameters));
        }
        String where = "table " + id;
        return new Table(
                id,
                keys(props.get("KeySchema"), types, parameters, where),
                indexes(props.get("GlobalSecondaryIndexes"), types, parameters, where),
                indexes(props.get("LocalSecondaryIndexes"), types, parameters, where));
    }

    private static List<Index> indexes(
            Object declared, Map<String, String> types, Map<String, String> parameters, String table) {
        List<Index> indexes = new ArrayList<>();
        for (Object index : list(declared)) {
            Map<String, Object> spec = map(index);
            String name = text(spec.get("IndexName"), parameters);
            String where = table + ", index " + name;
            Map<String, Object> projection = map(spec.get("Projection"));
            if (projection.isEmpty()) {
                throw new IllegalArgumentException(where + " declares no Projection");
            }
            List<String> nonKey = list(projection.get("NonKeyAttributes")).stream()
                    .map(a -> text(a, parameters))
                    .toList();
            indexes.add(new Index(
                    name,
                    keys(spec.get("KeySchema"), types, parameters, where),
                    new Projection(text(projection.get("ProjectionType"), parameters), nonKey)));
        }
        return indexes;
    }

    private static List<Key> keys(
            Object schema, Map<String, String> types, Map<String, String> parameters, String where) {
        List<Key> keys = new ArrayList<>();
        for (Object k : list(schema)) {
            String attribute = text(map(k).get("AttributeName"), parameters);
            String type = types.get(attribute);
            if (type == null) {
                throw new IllegalArgumentException(
                        where + ": key attribute " + attribute + " has no AttributeDefinition");
            }
            keys.add(new Key(attribute, type, text(map(k).get("KeyType"), parameters)));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(where + " declares no KeySchema");
        }
        return keys;
    }

    /** Creates the tables, on-demand, named by their logical ids. */
    public static void create(DynamoDbClient dynamo, List<Table> tables) {
        tables.forEach(table -> dynamo.createTable(request(table)));
    }

    /** The CreateTable request of one table: only the attributes its keys and its indexes' keys use are defined, as DynamoDB requires. */
    public static CreateTableRequest request(Table table) {
        Map<String, String> types = new LinkedHashMap<>();
        table.keys().forEach(k -> types.put(k.attribute(), k.type()));
        table.globalIndexes().forEach(i -> i.keys().forEach(k -> types.put(k.attribute(), k.type())));
        table.localIndexes().forEach(i -> i.keys().forEach(k -> types.put(k.attribute(), k.type())));
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(table.logicalId())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(keySchema(table.keys()))
                .attributeDefinitions(types.entrySet().stream()
                        .map(e -> AttributeDefinition.builder()
                                .attributeName(e.getKey())
                                .attributeType(e.getValue())
                                .build())
                        .toList());
        if (!table.globalIndexes().isEmpty()) {
            request.globalSecondaryIndexes(table.globalIndexes().stream()
                    .map(i -> GlobalSecondaryIndex.builder()
                            .indexName(i.name())
                            .keySchema(keySchema(i.keys()))
                            .projection(projection(i.projection()))
                            .build())
                    .toList());
        }
        if (!table.localIndexes().isEmpty()) {
            request.localSecondaryIndexes(table.localIndexes().stream()
                    .map(i -> LocalSecondaryIndex.builder()
                            .indexName(i.name())
                            .keySchema(keySchema(i.keys()))
                            .projection(projection(i.projection()))
                            .build())
                    .toList());
        }
        return request.build();
    }

    private static software.amazon.awssdk.services.dynamodb.model.Projection projection(Projection p) {
        var projection = software.amazon.awssdk.services.dynamodb.model.Projection.builder()
                .projectionType(p.type());
        if (!p.nonKeyAttributes().isEmpty()) {
            projection.nonKeyAttributes(p.nonKeyAttributes());
        }
        return projection.build();
    }

    private static List<KeySchemaElement> keySchema(List<Key> keys) {
        return keys.stream()
                .map(k -> KeySchemaElement.builder()
                        .attributeName(k.attribute())
                        .keyType(k.keyType())
                        .build())
                .toList();
    }

    /** A scalar, or {@code !Ref} of a parameter, or {@code !Sub} of parameters; anything else cannot shape a local table. */
    private static String text(Object value, Map<String, String> parameters) {
        if (value instanceof Intrinsic intrinsic) {
            Object argument = intrinsic.argument();
            if (intrinsic.function().equals("Ref") && argument instanceof String name && parameters.get(name) != null) {
                return parameters.get(name);
            }
            if (intrinsic.function().equals("Sub") && argument instanceof String template) {
                return substitute(template, parameters);
            }
            throw new IllegalArgumentException(
                    "cannot resolve !" + intrinsic.function() + " " + argument + " in a table's shape locally");
        }
        if (value == null) {
            throw new IllegalArgumentException("a table property is missing");
        }
        return String.valueOf(value);
    }

    private static String substitute(String text, Map<String, String> parameters) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = parameters.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("cannot resolve ${" + m.group(1) + "} in a table's shape locally");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<Object> list(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }
}
