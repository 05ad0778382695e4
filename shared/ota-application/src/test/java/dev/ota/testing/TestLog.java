package dev.ota.testing;

import dev.ota.log.StructuredLog;
import dev.ota.protocol.ProtocolJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A {@link StructuredLog} that writes into memory, so tests stay quiet and can read the lines. */
public final class TestLog {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final StructuredLog log;

    public TestLog(String component) {
        log = new StructuredLog(
                ProtocolJson.newMapper(), new PrintStream(buffer, true, StandardCharsets.UTF_8), component);
    }

    public StructuredLog log() {
        return log;
    }

    public List<String> lines() {
        String text = buffer.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\\R"));
    }
}
