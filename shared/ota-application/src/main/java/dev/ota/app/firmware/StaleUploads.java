package dev.ota.app.firmware;

import dev.ota.domain.Firmware;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.FirmwareCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Settles reservations whose registration never came: a firmware still UPLOADING {@code limit}
 * after its upload started becomes REJECTED with the reason. The upload may never have been made,
 * or its registration failed past its retries (its S3 event is then in the registration function's
 * dead-letter queue). A late registration still settles a REJECTED reservation as AVAILABLE when
 * the bytes match (FirmwareRegistrationService), so nothing is lost by rejecting early.
 */
public final class StaleUploads {

    /** Reservations settled per run; the next tick takes the rest. */
    static final int PER_RUN = 100;

    private final FirmwareCatalog catalog;
    private final Duration limit;
    private final Clock clock;
    private final StructuredLog log;

    public StaleUploads(FirmwareCatalog catalog, Duration limit, Clock clock, StructuredLog log) {
        this.catalog = catalog;
        this.limit = limit;
        this.clock = clock;
        this.log = log;
    }

    /** @return how many reservations became REJECTED */
    public int rejectStale() {
        Instant now = clock.instant();
        List<Firmware> stale = catalog.uploadingSince(now.minus(limit), PER_RUN);
        int rejected = 0;
        for (Firmware f : stale) {
            String reason = "no registration within " + limit.toHours() + " h of the upload's start (" + f.createdAt()
                    + "): the upload was not made, or its registration failed";
            // Conditional on UPLOADING: a registration that lands meanwhile wins.
            if (catalog.settle(f.rejected(reason, now), Firmware.Status.UPLOADING)) {
                rejected++;
                log.warn("firmware_rejected", "productId", f.productId(), "version", f.version(), "reason", reason);
            }
        }
        return rejected;
    }
}
