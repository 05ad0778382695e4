package dev.ota.testing;

import java.util.function.Consumer;

/**
 * Code a test runs right before a fake's next few calls: the other writer of a race, or (by
 * throwing) a function that died before its write. The fake calls {@link #runBefore} before it
 * takes its own lock, so the hook may call the fakes freely.
 */
final class NextCalls<T> {

    private Consumer<T> hook;
    private int times;

    /** Runs {@code hook} before each of the next {@code times} calls (replacing any hook set before). */
    synchronized void set(int times, Consumer<T> hook) {
        this.times = times;
        this.hook = hook;
    }

    /** Runs the hook, if one is due for this call. */
    void runBefore(T target) {
        Consumer<T> due;
        synchronized (this) {
            if (times <= 0) {
                return;
            }
            times--;
            due = hook;
        }
        due.accept(target);
    }
}
