package dev.ota.port.out;

import java.util.Optional;

/** Jobs that have not finished (scheduled, preparing, in progress or paused). */
public interface LiveJobs {

    /** A live job whose target is this firmware, if there is one. */
    Optional<String> targeting(String productId, String version);
}
