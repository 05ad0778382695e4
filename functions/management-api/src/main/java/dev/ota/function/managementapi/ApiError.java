package dev.ota.function.managementapi;

import java.util.Map;

/**
 * A request the API refuses before (or instead of) reaching an operation. The code is stable, the
 * message is for people; a few refusals add headers ({@code allow} on a 405). Operation refusals
 * use OperatorException's codes; these are the API's own.
 */
public final class ApiError extends RuntimeException {

    public static final String ROUTE_NOT_FOUND = "ROUTE_NOT_FOUND";
    public static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
    public static final String MALFORMED_JSON = "MALFORMED_JSON";
    public static final String INVALID_REQUEST = "INVALID_REQUEST";
    public static final String PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE";
    public static final String UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE";
    public static final String SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE";
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";

    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    ApiError(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = headers;
    }

    public static ApiError invalid(String message) {
        return new ApiError(400, INVALID_REQUEST, message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Headers the refusal carries besides the content type. */
    Map<String, String> headers() {
        return headers;
    }
}
