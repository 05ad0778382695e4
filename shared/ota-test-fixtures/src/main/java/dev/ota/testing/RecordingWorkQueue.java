package dev.ota.testing;

import dev.ota.domain.job.WorkMessage;
import dev.ota.port.out.WorkQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The scheduler's work queue in memory: it keeps every message ever sent, in order, and a pending
 * queue a test drains (FIFO) to play the worker. Unlike SQS it delivers each message once and in
 * order, and keeps no visibility timeout or dead-letter queue: a test that wants a duplicate
 * delivery hands the same message to the engine again. Thread-safe (synchronized).
 */
public final class RecordingWorkQueue implements WorkQueue {

    private final List<WorkMessage> sent = new ArrayList<>();
    private final Deque<WorkMessage> pending = new ArrayDeque<>();
    private int sends;

    @Override
    public synchronized void send(List<WorkMessage> messages) {
        sends++;
        sent.addAll(messages);
        pending.addAll(messages);
    }

    /** Every message sent so far, in order (taken ones included). */
    public synchronized List<WorkMessage> sent() {
        return List.copyOf(sent);
    }

    /** Every message of {@code kind} sent so far. */
    public synchronized List<WorkMessage> sent(WorkMessage.Kind kind) {
        return sent.stream().filter(m -> m.kind() == kind).toList();
    }

    /** How many {@link #send} calls there were (one SQS batch call or more each). */
    public synchronized int sends() {
        return sends;
    }

    /** The next message not yet taken, or null. */
    public synchronized WorkMessage poll() {
        return pending.poll();
    }

    /** Takes every message not yet taken. */
    public synchronized List<WorkMessage> drain() {
        List<WorkMessage> out = List.copyOf(pending);
        pending.clear();
        return out;
    }

    /** Messages not yet taken, without taking them. */
    public synchronized List<WorkMessage> pending() {
        return List.copyOf(pending);
    }

    /** Forgets everything sent so far. */
    public synchronized void clear() {
        sent.clear();
        pending.clear();
        sends = 0;
    }
}
