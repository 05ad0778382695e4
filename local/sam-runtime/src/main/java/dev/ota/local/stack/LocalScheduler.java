package dev.ota.local.stack;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EventBridge's schedule on the local stack: {@link LocalStack#tick()} (every function with a
 * Schedule event, then the work queues drained) once per the template's {@code rate(...)}, divided
 * by a speed-up. The stack's clock is real time, so token buckets refill, retry intervals pass and
 * URLs expire as they would; ticking more often than EventBridge only makes the engine notice
 * sooner. Started by {@link LocalStack#runScheduler(int)}.
 */
public final class LocalScheduler implements AutoCloseable {

    /** What the launcher uses unless told otherwise: a rate(1 minute) schedule ticks every 500 ms. */
    public static final int DEFAULT_SPEEDUP = 120;

    /** Every this many rounds (10 s at the default speed-up) the stack's event queue is read. */
    private static final int EVENT_READ_ROUNDS = 20;

    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");

    private final LocalStack stack;
    private final Duration period;
    private final int speedup;
    private final Thread thread;
    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean running = true;
    private volatile String lastFailure;

    LocalScheduler(LocalStack stack, Duration templatePeriod, int speedup) {
        if (speedup < 1) {
            throw new IllegalArgumentException("the schedule's speed-up must be at least 1");
        }
        this.stack = stack;
        this.speedup = speedup;
        this.period = templatePeriod.dividedBy(speedup);
        this.thread = new Thread(this::loop, "local-scheduler");
        this.thread.setDaemon(true);
    }

    /** The period of a schedule expression; only {@code rate(N unit)} (the template's kind). */
    public static Duration period(String expression) {
        Matcher m = RATE.matcher(expression.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "the local scheduler runs rate(N minutes|hours|days) schedules, not " + expression);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "minute", "minutes" -> Duration.ofMinutes(n);
            case "hour", "hours" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    LocalScheduler start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                stack.tick();
                if (rounds.incrementAndGet() % EVENT_READ_ROUNDS == 0) {
                    // Read the event bus's queue as it fills (LocalEvents keeps what it read): moto's SQS scans
                    // the whole queue for each message it returns, and a 5,000-device demo's 5,002 events took
                    // minutes to read at once.
                    stack.events().received();
                }
            } catch (Exception e) {
                failures.incrementAndGet();
                lastFailure = String.valueOf(e);
            }
            try {
                Thread.sleep(period.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Real time between two ticks. */
    public Duration period() {
        return period;
    }

    public int speedup() {
        return speedup;
    }

    public int rounds() {
        return rounds.get();
    }

    /** Rounds that threw (a function error that Lambda would log and EventBridge retry). */
    public int failures() {
        return failures.get();
    }

    public String lastFailure() {
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
