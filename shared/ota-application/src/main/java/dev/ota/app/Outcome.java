package dev.ota.app;

/** What a device report did. Both are success for the caller: an ignored report is not an error. */
public enum Outcome {
    APPLIED,
    IGNORED;

    /** Lost races re-read and decide again; past this many, the invocation fails and Lambda retries it. */
    static final int MAX_RACES = 4;
}
