package dev.ota.domain;

/** What a device report does to the device's execution. */
public sealed interface Decision {

    /** Nothing changes; the reason is logged. Duplicates, stale and out-of-order reports end here. */
    record Ignore(String reason) implements Decision {}

    /** The download advanced within the same status: the one-write fast path. */
    record AdvancePercent(Execution before, int percent) implements Decision {}

    /** The execution moves to {@code after}; {@code sendUpdate} says the device gets update_firmware. */
    record Transition(Execution before, Execution after, boolean sendUpdate) implements Decision {}

    /**
     * The device gets update_firmware again for the same attempt: checkpoint restart. {@code after}
     * is the execution with the report kept in its history, to be stored first; null when nothing
     * needs storing.
     */
    record Resend(Execution execution, Execution after) implements Decision {
        public Resend(Execution execution) {
            this(execution, null);
        }
    }
}
