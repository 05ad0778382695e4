package dev.ota.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.digest.FirmwareDigests.Digests;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FirmwareDigestsTest {

    /**
     * 50 MiB of {@code i % 251}, made up on the fly in odd-sized reads. Buffering the whole stream
     * (readAllBytes and friends) fails the test: the point is one bounded buffer.
     */
    static final class GeneratedStream extends InputStream {
        private final long length;
        private long position;
        boolean closed;

        GeneratedStream(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            if (position >= length) {
                return -1;
            }
            return (int) (position++ % 251);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= length) {
                return -1;
            }
            // short reads, as a network stream gives them
            int n = (int) Math.min(Math.min(len, 7919), length - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) (position++ % 251);
            }
            return n;
        }

        @Override
        public byte[] readAllBytes() {
            throw new AssertionError("the whole image must not be buffered");
        }

        @Override
        public byte[] readNBytes(int len) {
            throw new AssertionError("the whole image must not be buffered");
        }

        @Override
        public long transferTo(OutputStream out) {
            throw new AssertionError("the whole image must not be buffered");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void digestsFiftyMegabytesStreamedWithoutAFile() {
        GeneratedStream in = new GeneratedStream(50L * 1024 * 1024);

        Digests d = FirmwareDigests.of(in);

        // computed independently: python3 hashlib over bytes(i % 251 for i in range(52428800))
        assertThat(d.size()).isEqualTo(52_428_800L);
        assertThat(d.md5()).isEqualTo("dd6e380addefff95306ef1bfda3637ef");
        assertThat(d.sha256()).isEqualTo("3a7aef326b898081e6fb7b9599db2618b4f5e5301b64078f0f4e1f5382f634b9");
        assertThat(in.closed).isTrue();
    }

    @Test
    void knownSmallValues() {
        Digests hello = FirmwareDigests.of(new ByteArrayInputStream("hello".getBytes(StandardCharsets.US_ASCII)));
        assertThat(hello)
                .isEqualTo(new Digests(
                        5,
                        "5d41402abc4b2a76b9719d911017c592",
                        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));

        Digests empty = FirmwareDigests.of(new ByteArrayInputStream(new byte[0]));
        assertThat(empty)
                .isEqualTo(new Digests(
                        0,
                        "d41d8cd98f00b204e9800998ecf8427e",
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));

        assertThat(FirmwareDigests.md5Hex("hello".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("5d41402abc4b2a76b9719d911017c592");
    }

    @Test
    void hexIsLowercase() {
        assertThat(FirmwareDigests.hex(new byte[] {(byte) 0xAB, 0x0C, (byte) 0xFF}))
                .isEqualTo("ab0cff");
    }

    @Test
    void normaliseMd5AcceptsEitherCase() {
        assertThat(FirmwareDigests.normaliseMd5("5D41402ABC4B2A76B9719D911017C592"))
                .isEqualTo("5d41402abc4b2a76b9719d911017c592");
        assertThat(FirmwareDigests.normaliseMd5("5d41402abc4b2a76b9719d911017c592"))
                .isEqualTo("5d41402abc4b2a76b9719d911017c592");
        assertThatThrownBy(() -> FirmwareDigests.normaliseMd5("5d41402abc4b2a76b9719d911017c59"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("md5sum must be 32 hex digits");
        assertThatThrownBy(() -> FirmwareDigests.normaliseMd5(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readFailureIsUncheckedAndTheStreamIsClosed() {
        boolean[] closed = {false};
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };

        assertThatThrownBy(() -> FirmwareDigests.of(broken))
                .isInstanceOf(UncheckedIOException.class)
                .hasRootCauseMessage("connection reset");
        assertThat(closed[0]).isTrue();
    }
}
