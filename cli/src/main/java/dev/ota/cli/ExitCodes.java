package dev.ota.cli;

/** What {@code ota}'s exit status means; scripts can rely on these. */
public final class ExitCodes {
    private ExitCodes() {}

    /** Done. */
    public static final int OK = 0;
    /** The API refused the request (4xx other than 401/403), or the operation ended badly (firmware REJECTED, job ABORTED or CANCELED). */
    public static final int FAILED = 1;
    /** Usage: unknown command, bad or missing option or argument. */
    public static final int USAGE = 2;
    /** Network failure or timeout, or a server error (API or S3 5xx, throttling after retries). */
    public static final int UNAVAILABLE = 3;
    /** Configuration or authorization: no endpoint, region or credentials; the API answered 401 or 403. */
    public static final int CONFIG = 4;
    /** Waited longer than --timeout (firmware upload verification, job watch). */
    public static final int TIMEOUT = 5;
    /** Interrupted (Ctrl-C). */
    public static final int INTERRUPTED = 130;
}
