package dev.ota.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The JSON-lines log a function wrote into memory, one parsed object per line. */
public final class JsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    public static List<JsonNode> read(ByteArrayOutputStream buffer) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : buffer.toString(StandardCharsets.UTF_8).split("\\R")) {
            if (!line.isBlank()) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON log line: " + line, e);
                }
            }
        }
        return lines;
    }
}
