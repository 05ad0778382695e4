package dev.ota.testing;

import dev.ota.domain.OperatorException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * What the DynamoDB tables do to values and pages, kept once for every fake of a table: instants
 * are stored to the millisecond, and a page token names the last item of its page and is valid only
 * for the listing that made it (else {@link OperatorException} INVALID_REQUEST, as the adapters'
 * {@code PageTokens} answers).
 */
final class TableConventions {

    private TableConventions() {}

    /** The instant as a table stores it (epoch millis), so a value read back matches a condition written from it. */
    static Instant ms(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS);
    }

    /** An opaque token for the page after {@code last} of {@code listing}. */
    static String pageToken(String listing, String last) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((listing + "\n" + last).getBytes(StandardCharsets.UTF_8));
    }

    /** The last item a token of {@code listing} names; null for no token. */
    static String afterToken(String token, String listing) {
        if (token == null) {
            return null;
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalidToken();
        }
        if (token.isEmpty() || !text.startsWith(listing + "\n")) {
            throw invalidToken();
        }
        return text.substring(listing.length() + 1);
    }

    static OperatorException invalidToken() {
        return new OperatorException(
                OperatorException.Code.INVALID_REQUEST,
                "nextToken is not valid (it must come from the previous page of the same listing)");
    }
}
