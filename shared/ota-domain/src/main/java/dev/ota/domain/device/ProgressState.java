package dev.ota.domain.device;

import dev.ota.domain.InvalidMessageException;
import java.util.Arrays;

/** The {@code state} of a {@code report_progress} message. */
public enum ProgressState {
    DOWNLOADING("downloading"),
    BURNING("burning"),
    DONE("done"),
    FAIL("fail");

    private final String wire;

    ProgressState(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static ProgressState fromWire(String value) {
        return Arrays.stream(values())
                .filter(s -> s.wire.equals(value))
                .findFirst()
                .orElseThrow(() -> new InvalidMessageException("unknown progress state '" + value + "'"));
    }
}
