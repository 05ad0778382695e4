package dev.ota.domain;

/** A device message or request that breaks the protocol; the reason is safe to log and return. */
public class InvalidMessageException extends RuntimeException {
    public InvalidMessageException(String reason) {
        super(reason, null, false, false);
    }
}
