package dev.ota.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.protocol.ProtocolJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StructuredLogTest {

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final StructuredLog log =
            new StructuredLog(json, new PrintStream(out, true, StandardCharsets.UTF_8), "version-report");

    @Test
    void writesOneJsonObjectPerLineWithTypedValues() throws Exception {
        log.info("version_report", "device", "p1/d1", "attempt", 2, "stale", false, "nothing", null);
        log.warn("w", "reason", "line\nbreak");
        log.error("e");

        String[] lines = out.toString(StandardCharsets.UTF_8).split("\\R");
        assertThat(lines).hasSize(3);

        JsonNode first = json.readTree(lines[0]);
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("component").asText()).isEqualTo("version-report");
        assertThat(first.get("event").asText()).isEqualTo("version_report");
        assertThat(first.get("device").asText()).isEqualTo("p1/d1");
        assertThat(first.get("attempt").isInt()).isTrue();
        assertThat(first.get("stale").isBoolean()).isTrue();
        assertThat(first.get("nothing").isNull()).isTrue();
        assertThat(first.hasNonNull("timestamp")).isTrue();

        assertThat(json.readTree(lines[1]).get("reason").asText()).isEqualTo("line\nbreak");
        assertThat(json.readTree(lines[1]).get("level").asText()).isEqualTo("WARN");
        assertThat(json.readTree(lines[2]).get("level").asText()).isEqualTo("ERROR");
    }

    @Test
    void aDanglingKeyIsDropped() throws Exception {
        log.info("x", "a", 1, "dangling");

        JsonNode line = json.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(line.get("a").asInt()).isEqualTo(1);
        assertThat(line.has("dangling")).isFalse();
    }

    @Test
    void aValueJacksonCannotMapIsLoggedAsTextInsteadOfThrowing() throws Exception {
        // Instants are everywhere in this domain; the mapper has no java.time module.
        java.time.Instant at = java.time.Instant.parse("2026-01-01T00:00:00Z");

        log.info("x", "retryNotBefore", at, "interval", java.time.Duration.ofSeconds(30), "n", 1);

        JsonNode line = json.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(line.get("event").asText()).isEqualTo("x");
        assertThat(line.get("retryNotBefore").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(line.get("interval").asText()).isEqualTo("PT30S");
        assertThat(line.get("n").asInt()).isEqualTo(1);
    }
}
