package dev.ota.cli;

/** The API answered with an error: its HTTP status and the stable code of the JSON error body. */
public final class ApiException extends CliException {
    private final int status;
    private final String code;

    public ApiException(int exitCode, int status, String code, String message) {
        super(exitCode, message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
