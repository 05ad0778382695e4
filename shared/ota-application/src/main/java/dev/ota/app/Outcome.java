package dev.ota.app;

import dev.ota.domain.Execution;

/** What a device report did. Both are success for the caller: an ignored report is not an error. */
public enum Outcome {
    APPLIED,
    IGNORED;

    /** Lost races re-read and decide again; past this many, the invocation fails and Lambda retries it. */
    static final int MAX_RACES = 4;

    /**
     * APPLIED when the execution's status, attempt or percent moved; a report that was only kept in
     * the history (it may count once a late report arrives) is IGNORED.
     */
    static Outcome of(Execution before, Execution after) {
        boolean moved = before.status() != after.status()
                || before.attempt() != after.attempt()
                || before.percent() != after.percent();
        return moved ? APPLIED : IGNORED;
    }
}
