package dev.ota.local.demo;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The operator's live view: per-state device counts from the job's statistics ({@code JobOperations.statistics}), the job's current stage, and a bar of devices in
 * a terminal state. On a terminal the line is redrawn in place; otherwise (a pipe, a CI log) a
 * plain line is printed every few seconds when something changed.
 */
final class ProgressDisplay implements AutoCloseable {

    /**
     * The states shown, in lifecycle order, with their labels. The job counts an attempt in flight
     * as DELIVERED from its start to its end ({@code ExecutionStatus.recorded}): "updating".
     */
    private static final Map<String, String> STATES = new LinkedHashMap<>();

    static {
        STATES.put("DELIVERED", "updating");
        STATES.put("RETRY_PENDING", "retry");
        STATES.put("SUCCEEDED", "succeeded");
        STATES.put("FAILED", "failed");
        STATES.put("TIMED_OUT", "timed out");
    }

    /** What the display needs each tick. */
    record Snapshot(int devices, int notStarted, Map<String, Integer> counts, String stage) {}

    private static final int BAR_WIDTH = 20;
    /** A redrawn line must not wrap: scripts/local.sh passes the terminal's width. */
    private static final int COLUMNS = columns();

    private static int columns() {
        try {
            return Math.max(
                    40,
                    Integer.parseInt(System.getenv()
                            .getOrDefault("OTA_TERM_COLUMNS", "120")
                            .trim()));
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    private final PrintStream out;
    private final boolean live;
    private final Supplier<Snapshot> source;
    private final long startedAt = System.currentTimeMillis();
    private final List<String> pendingEvents = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private String lastPlain = "";
    private long lastPlainAt;
    private boolean lineShown;

    ProgressDisplay(PrintStream out, boolean live, Supplier<Snapshot> source) {
        this.out = out;
        this.live = live;
        this.source = source;
        this.thread = new Thread(this::loop, "demo-progress");
        this.thread.setDaemon(true);
    }

    ProgressDisplay start() {
        thread.start();
        return this;
    }

    /** A line of its own above the progress line (a stage started, a stage passed). */
    void event(String line) {
        pendingEvents.add(line);
        if (!running) {
            flushEvents();
        }
    }

    private void loop() {
        while (running) {
            tick(false);
            sleep(live ? 400 : 1000);
        }
    }

    private synchronized void tick(boolean last) {
        flushEvents();
        Snapshot snapshot;
        try {
            snapshot = source.get();
        } catch (RuntimeException e) {
            return; // a missed tick is harmless; the next one reads again
        }
        String line = render(snapshot, false);
        if (live) {
            if (line.length() > COLUMNS - 1) {
                line = render(snapshot, true);
            }
            if (line.length() > COLUMNS - 1) {
                line = line.substring(0, COLUMNS - 2) + "~";
            }
            out.print("\r" + line + "\033[K");
            lineShown = true;
            if (last) {
                out.println();
                lineShown = false;
            }
            out.flush();
        } else {
            // A line when the share of finished devices or the stage changed (at most every 2 s), else one
            // every 15 s: a 10,000-device run prints about a hundred lines, not one per change.
            String state = percentDone(snapshot) + "% " + snapshot.stage();
            long now = System.currentTimeMillis();
            if (last || (!state.equals(lastPlain) && now - lastPlainAt >= 2000) || now - lastPlainAt >= 15_000) {
                out.println(line);
                out.flush();
                lastPlain = state;
                lastPlainAt = now;
            }
        }
    }

    private synchronized void flushEvents() {
        while (!pendingEvents.isEmpty()) {
            String event = pendingEvents.remove(0);
            if (live && lineShown) {
                out.print("\r\033[K");
                lineShown = false;
            }
            out.println(event);
        }
        out.flush();
    }

    private static int done(Snapshot s) {
        return s.counts().getOrDefault("SUCCEEDED", 0)
                + s.counts().getOrDefault("FAILED", 0)
                + s.counts().getOrDefault("TIMED_OUT", 0)
                + s.counts().getOrDefault("CANCELED", 0);
    }

    private static int percentDone(Snapshot s) {
        return s.devices() == 0 ? 0 : (int) (done(s) * 100L / s.devices());
    }

    String render(Snapshot s) {
        return render(s, false);
    }

    /**
     * One progress line; {@code compact} (when the full one is wider than the terminal) drops the bar
     * and shortens the labels, so the counts and the time stay visible at 10,000 devices.
     */
    String render(Snapshot s, boolean compact) {
        int done = done(s);
        int filled = s.devices() == 0 ? 0 : (int) ((long) done * BAR_WIDTH / s.devices());
        StringBuilder b = new StringBuilder();
        if (!compact) {
            b.append('[')
                    .append("#".repeat(filled))
                    .append(".".repeat(BAR_WIDTH - filled))
                    .append("] ");
        }
        b.append(String.format("%3d%% %,d/%,d", percentDone(s), done, s.devices()));
        b.append(" | ").append(s.stage());
        b.append(compact ? " | queued " : " | not started ").append(String.format("%,d", s.notStarted()));
        STATES.forEach((state, label) -> {
            int n = s.counts().getOrDefault(state, 0);
            if (n > 0 || state.equals("SUCCEEDED") || state.equals("FAILED")) {
                String shown = compact ? label.substring(0, Math.min(4, label.length())) : label;
                b.append(", ").append(shown).append(' ').append(String.format("%,d", n));
            }
        });
        b.append(String.format(" | %.1f s", (System.currentTimeMillis() - startedAt) / 1000.0));
        return b.toString();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tick(true);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
