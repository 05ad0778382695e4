package dev.ota.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The repository's sample events ({@code events/}) and the bad ones ({@code events/bad/}) with the
 * rejection reason {@code events/bad/expected.json} gives for each, read as the tests' input.
 */
public final class SampleEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code events/} of the repository, found above the working directory (the module, under Maven). */
    public static final Path DIR = locate();

    private SampleEvents() {}

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("events/bad/expected.json"))) {
                return dir.resolve("events");
            }
        }
        throw new IllegalStateException(
                "no events/bad/expected.json at or above " + Path.of("").toAbsolutePath());
    }

    /** The bytes of {@code events/<name>}, e.g. {@code "report-version.json"} or {@code "bad/name-mismatch.json"}. */
    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String name) {
        try {
            return JSON.readTree(bytes(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bad events {@code events/bad/expected.json} assigns to {@code function}: file name to reason fragment. */
    public static Map<String, String> badEventsFor(String function) {
        Map<String, String> bad = new TreeMap<>();
        json("bad/expected.json").fields().forEachRemaining(e -> {
            if (!e.getKey().startsWith("_")
                    && function.equals(e.getValue().path("function").asText())) {
                bad.put(e.getKey(), e.getValue().path("reason").asText());
            }
        });
        return bad;
    }
}
