package dev.ota.local.demo;

import dev.ota.local.stack.LocalStack;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The job scheduler during the demo: {@link LocalStack#tick()} (the scheduled function, then the
 * work queues drained) every {@link #PERIOD_MS} of real time, where AWS would tick once a minute.
 * The stack's clock is real time (plus an offset the demo leaves alone), so token buckets refill,
 * retry intervals pass and URLs expire as they would; ticking more often than EventBridge only
 * makes the engine notice sooner.
 */
final class Scheduler implements AutoCloseable {

    static final long PERIOD_MS = 500;

    private final LocalStack stack;
    private final Thread thread;
    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean running = true;
    private volatile String lastFailure;

    Scheduler(LocalStack stack) {
        this.stack = stack;
        this.thread = new Thread(this::loop, "demo-scheduler");
        this.thread.setDaemon(true);
    }

    Scheduler start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                stack.tick();
                rounds.incrementAndGet();
            } catch (Exception e) {
                failures.incrementAndGet();
                lastFailure = String.valueOf(e);
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    int rounds() {
        return rounds.get();
    }

    int failures() {
        return failures.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        running = false; // not interrupted: a round in progress finishes its queue messages
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
