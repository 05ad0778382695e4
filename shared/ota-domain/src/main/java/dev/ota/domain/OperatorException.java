package dev.ota.domain;

/**
 * An operator request that cannot be carried out. The code is stable (clients branch on it); the
 * message is for people. The HTTP API maps codes to 4xx statuses.
 */
public class OperatorException extends RuntimeException {

    public enum Code {
        INVALID_REQUEST(400),
        NOT_FOUND(404),
        CONFLICT(409),
        FIRMWARE_NOT_AVAILABLE(409),
        VERSION_TAKEN(409),
        FIRMWARE_IN_USE(409),
        JOB_NOT_ACTIVE(409),
        /** Delete of a job that has not finished (or still has live executions being swept). */
        JOB_NOT_FINISHED(409),
        /** A client token reused with a different request within its validity. */
        CLIENT_TOKEN_REUSED(409),
        MD5_MISMATCH(422);

        private final int httpStatus;

        Code(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Code code;

    public OperatorException(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
