package dev.ota.app.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.Firmware;
import dev.ota.log.StructuredLog;
import dev.ota.testing.InMemoryFirmwareCatalog;
import dev.ota.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StaleUploadsTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final String MD5 = "5d41402abc4b2a76b9719d911017c592";

    private final InMemoryFirmwareCatalog catalog = new InMemoryFirmwareCatalog();
    private final MutableClock clock = new MutableClock(T0);
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final StaleUploads sweep = new StaleUploads(
            catalog,
            Duration.ofHours(24),
            clock,
            new StructuredLog(new ObjectMapper(), new PrintStream(logged, true, StandardCharsets.UTF_8), "test"));

    @Test
    void aReservationLeftUploadingPastTheLimitIsRejectedWithTheReason() {
        catalog.insert(Firmware.reserved("p1", "2.0.0", "firmware/p1/2.0.0/f.bin", 5, MD5, "", T0), null);
        catalog.insert(
                Firmware.reserved("p1", "2.0.1", "firmware/p1/2.0.1/f.bin", 5, MD5, "", T0.plusSeconds(3600)), null);

        clock.advance(Duration.ofHours(24));
        assertThat(sweep.rejectStale()).as("not past the limit yet").isZero();

        clock.advance(Duration.ofMillis(1));
        assertThat(sweep.rejectStale()).isEqualTo(1);

        Firmware rejected = catalog.find("p1", "2.0.0").orElseThrow();
        assertThat(rejected.status()).isEqualTo(Firmware.Status.REJECTED);
        assertThat(rejected.rejectionReason()).startsWith("no registration within 24 h");
        assertThat(catalog.find("p1", "2.0.1").orElseThrow().status()).isEqualTo(Firmware.Status.UPLOADING);
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("firmware_rejected");
        assertThat(sweep.rejectStale()).as("once").isZero();
    }

    @Test
    void settledFirmwareIsLeftAlone() {
        Firmware reserved = Firmware.reserved("p1", "2.0.0", "firmware/p1/2.0.0/f.bin", 5, MD5, "", T0);
        catalog.insert(reserved, null);
        catalog.settle(reserved.rejected("md5 mismatch", T0.plusSeconds(5)), Firmware.Status.UPLOADING);

        clock.advance(Duration.ofDays(3));

        assertThat(sweep.rejectStale()).isZero();
        assertThat(catalog.find("p1", "2.0.0").orElseThrow().rejectionReason()).isEqualTo("md5 mismatch");
    }
}
