package dev.ota.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr. On a terminal it redraws one line in place, at most ten times a
 * second; otherwise (a log, a pipe) it prints a line at every tenth of the way, so logs stay short.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream err;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private int lastTenth = -1;
    private long done;
    private boolean finished;

    public ProgressBar(PrintStream err, String label, long total, boolean terminal, boolean enabled) {
        this.err = err;
        this.label = label;
        this.total = Math.max(0, total);
        this.terminal = terminal;
        this.enabled = enabled;
    }

    /** Bytes done so far (also when the bar draws nothing). */
    public synchronized long done() {
        return done;
    }

    public long total() {
        return total;
    }

    public synchronized void advance(long bytes) {
        set(done + bytes);
    }

    public synchronized void set(long value) {
        done = Math.min(Math.max(0, value), total);
        if (!enabled || finished) {
            return;
        }
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDrawNanos >= 100_000_000L || done == total) {
                lastDrawNanos = now;
                err.print("\r" + render(done, now) + "\u001b[K");
                err.flush();
            }
        } else {
            int tenth = total == 0 ? 10 : (int) (done * 10 / total);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                err.println(render(done, now));
            }
        }
    }

    /** Ends the bar (a final 100% line on a terminal). */
    public synchronized void finish() {
        if (!enabled || finished) {
            return;
        }
        set(total);
        finished = true;
        if (terminal) {
            err.println();
        }
    }

    String render(long value, long nowNanos) {
        int filled = total == 0 ? WIDTH : (int) (value * WIDTH / total);
        int percent = total == 0 ? 100 : (int) (value * 100 / total);
        double seconds = Math.max(1e-3, (nowNanos - startNanos) / 1e9);
        return String.format(
                Locale.ROOT,
                "%s [%s%s] %3d%%  %s/%s  %s/s",
                label,
                "#".repeat(filled),
                "-".repeat(WIDTH - filled),
                percent,
                bytes(value),
                bytes(total),
                bytes((long) (value / seconds)));
    }

    /** A bar of {@code width} characters for a fraction, for the job views. */
    public static String bar(long part, long whole, int width) {
        int filled = whole <= 0 ? 0 : (int) Math.min(width, part * width / whole);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }
}
