package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The count of bytes served, as a reader who already holds the bytes sees it. */
class DownloadCutsTest {

    private static final byte[] BODY = new byte[40 * 1024];

    @Test
    void everyChunkIsCountedByTheTimeTheClientCanHoldIt() throws IOException {
        AtomicLong served = new AtomicLong();
        List<Long> countAtEachWrite = new ArrayList<>();
        List<Long> bytesHanded = new ArrayList<>();
        OutputStream client = new OutputStream() {
            private long handed;

            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                handed += len;
                countAtEachWrite.add(served.get());
                bytesHanded.add(handed);
            }
        };

        new DownloadCuts().copy(new ByteArrayInputStream(BODY), client, served);

        assertThat(countAtEachWrite).hasSizeGreaterThan(1).isEqualTo(bytesHanded);
        assertThat(served).hasValue(BODY.length);
    }

    @Test
    void aWriteThatFailsIsNotCounted() {
        AtomicLong served = new AtomicLong();
        OutputStream gone = new OutputStream() {
            private int writes;

            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (++writes == 2) {
                    throw new IOException("client went away");
                }
            }
        };

        assertThatThrownBy(() -> new DownloadCuts().copy(new ByteArrayInputStream(BODY), gone, served))
                .hasMessage("client went away");
        assertThat(served).hasValue(16 * 1024);
    }

    @Test
    void aCutIsCountedUpToTheCut() {
        AtomicLong served = new AtomicLong();
        DownloadCuts cuts = new DownloadCuts();
        cuts.arm(1, 300, Duration.ZERO);

        assertThatThrownBy(() -> cuts.copy(new ByteArrayInputStream(BODY), OutputStream.nullOutputStream(), served))
                .isInstanceOf(DownloadCuts.CutException.class);
        assertThat(served).hasValue(300);
    }
}
