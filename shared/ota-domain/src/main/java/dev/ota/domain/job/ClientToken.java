package dev.ota.domain.job;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A caller's token that makes a job creation idempotent: the first request with it creates the job,
 * the same request again within {@link #VALIDITY} answers that job, another request with it is
 * refused (CLIENT_TOKEN_REUSED). Stored beside the job, written in the job's own transaction.
 *
 * @param requestHash fingerprint of the checked request (what "the same request" means)
 * @param expiresAt when the token may be used again for another job
 */
public record ClientToken(String token, String requestHash, Instant expiresAt) {

    /** {@link #VALIDITY} in hours (a constant, for help texts). */
    public static final int VALIDITY_HOURS = 24;

    /** How long a token holds its job; AWS's idempotency tokens hold for hours, this holds for a day. */
    public static final Duration VALIDITY = Duration.ofHours(VALIDITY_HOURS);

    /** Longest token, as AWS's clientToken (1..64 of letters, digits, '-' and '_'). */
    public static final int MAX_LENGTH = 64;

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_LENGTH + "}");

    public ClientToken {
        if (!valid(token)) {
            throw new IllegalArgumentException("clientToken must be 1.." + MAX_LENGTH + " letters, digits, '-' or '_'");
        }
    }

    public static boolean valid(String token) {
        return token != null && SHAPE.matcher(token).matches();
    }

    public boolean expired(Instant now) {
        return !expiresAt.isAfter(now);
    }
}
