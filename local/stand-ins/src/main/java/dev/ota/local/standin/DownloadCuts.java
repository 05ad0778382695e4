package dev.ota.local.standin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The weak-network fault of the download stand-ins (the bucket's endpoint, CloudFront): the next
 * downloads that get a body stop after some bytes, stall, and the connection closes short of its
 * Content-Length, as when a weak network dies mid-transfer.
 */
final class DownloadCuts {

    private record Cut(int remaining, long afterBytes, long stallMillis) {}

    /** Thrown where a body was cut on purpose: the server then aborts the connection. */
    static final class CutException extends IOException {
        CutException(long afterBytes) {
            super("cut after " + afterBytes + " bytes (fault injected)");
        }
    }

    private final AtomicReference<Cut> next = new AtomicReference<>();

    void arm(int count, long afterBytes, Duration stall) {
        next.set(count > 0 ? new Cut(count, afterBytes, stall.toMillis()) : null);
    }

    private Cut take() {
        while (true) {
            Cut current = next.get();
            if (current == null) {
                return null;
            }
            Cut after = current.remaining() > 1
                    ? new Cut(current.remaining() - 1, current.afterBytes(), current.stallMillis())
                    : null;
            if (next.compareAndSet(current, after)) {
                return current;
            }
        }
    }

    /**
     * Copies a download's body, cut when one is armed.
     *
     * @throws CutException after writing (and flushing) the bytes before the cut and stalling
     */
    void copy(InputStream body, OutputStream out, AtomicLong bytesServed) throws IOException {
        Cut cut = take();
        long cutAfter = cut == null ? -1 : cut.afterBytes();
        byte[] buffer = new byte[16 * 1024];
        long sent = 0;
        for (int n; (n = body.read(buffer)) > 0; ) {
            if (cutAfter >= 0 && sent + n > cutAfter) {
                int part = (int) (cutAfter - sent);
                write(out, buffer, part, bytesServed);
                out.flush();
                stall(cut.stallMillis());
                throw new CutException(cutAfter);
            }
            write(out, buffer, n, bytesServed);
            sent += n;
        }
    }

    /**
     * Counts a chunk before writing it, so whoever reads the count after a client holds the
     * bytes sees them (counted after, a client could finish first); a failed write is uncounted.
     */
    private static void write(OutputStream out, byte[] buffer, int length, AtomicLong bytesServed) throws IOException {
        bytesServed.addAndGet(length);
        try {
            out.write(buffer, 0, length);
        } catch (IOException | RuntimeException e) {
            bytesServed.addAndGet(-length);
            throw e;
        }
    }

    private static void stall(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
