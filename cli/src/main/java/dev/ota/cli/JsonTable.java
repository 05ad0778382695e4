package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code --output table}: any JSON a command prints, as the AWS CLI's table output lays it out.
 * A list of objects (or a page's {@code items}) is one table, a column per field; an object is a
 * table of its fields, nested objects and lists as tables of their own under its name; a scalar
 * or a list of scalars is one column.
 */
final class JsonTable {
    private JsonTable() {}

    static void print(PrintStream out, JsonNode node) {
        print(out, null, node);
    }

    private static void print(PrintStream out, String title, JsonNode node) {
        if (title != null) {
            out.println(title);
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            Text.table(out, List.of("VALUE"), List.of(List.of("-")));
        } else if (node.isArray()) {
            array(out, title, node);
        } else if (node.isObject()) {
            object(out, title, node);
        } else {
            Text.table(out, List.of("VALUE"), List.of(List.of(node.asText())));
        }
    }

    private static void array(PrintStream out, String title, JsonNode array) {
        boolean objects = array.size() > 0;
        for (JsonNode element : array) {
            objects &= element.isObject();
        }
        if (!objects) {
            List<List<String>> rows = new ArrayList<>();
            array.forEach(e -> rows.add(List.of(cell(e))));
            Text.table(out, List.of("VALUE"), rows);
            return;
        }
        Set<String> columns = new LinkedHashSet<>();
        array.forEach(e -> e.fieldNames().forEachRemaining(columns::add));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : array) {
            List<String> row = new ArrayList<>();
            columns.forEach(c -> row.add(cell(e.get(c))));
            rows.add(row);
        }
        Text.table(out, columns.stream().map(JsonTable::header).toList(), rows);
    }

    private static void object(PrintStream out, String title, JsonNode object) {
        List<List<String>> rows = new ArrayList<>();
        List<Map.Entry<String, JsonNode>> nested = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            boolean simpleList = v.isArray() && !v.isEmpty() && !v.get(0).isContainerNode();
            if (v.isContainerNode() && !simpleList && !v.isEmpty()) {
                nested.add(field);
            } else {
                rows.add(List.of(field.getKey(), cell(v)));
            }
        }
        if (!rows.isEmpty()) {
            Text.table(out, List.of("FIELD", "VALUE"), rows);
        }
        for (Map.Entry<String, JsonNode> field : nested) {
            out.println();
            print(out, (title == null ? "" : title + ".") + field.getKey(), field.getValue());
        }
    }

    /** A scalar as text, a list of scalars comma-separated, anything deeper as compact JSON. */
    private static String cell(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "-";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode e : v) {
                if (e.isContainerNode()) {
                    return v.toString();
                }
                parts.add(e.asText());
            }
            return String.join(",", parts);
        }
        return v.isContainerNode() ? v.toString() : v.asText();
    }

    private static String header(String field) {
        return field.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
