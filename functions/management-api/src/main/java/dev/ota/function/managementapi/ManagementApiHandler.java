package dev.ota.function.managementapi;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.OperatorException;
import dev.ota.function.support.Observability;
import dev.ota.log.StructuredLog;
import dev.ota.protocol.ProtocolJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The operators' HTTP API behind an API Gateway HTTP API with IAM authorization (payload format
 * 2.0): the firmware catalogue, device-list uploads, update jobs and device status. The routes are
 * {@link Routes#ALL}, each bound to its {@link Endpoints} method; the {@link Router} picks one. This
 * class reads the event, and maps failures to statuses: every refusal is JSON {@code {"code","message"}}
 * with a 4xx status; a 5xx means the fault is ours or AWS's, never the request's.
 */
public final class ManagementApiHandler implements RequestStreamHandler {

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final StructuredLog log = new StructuredLog(json, "management-api");
    private final JsonViews views = new JsonViews(json);
    private final Endpoints endpoints;
    private final Observability observability;

    /** Lambda's constructor: the wiring is built here, once per container. */
    public ManagementApiHandler() {
        this(ManagementApiWiring.fromEnvironment());
    }

    public ManagementApiHandler(ManagementApiWiring wiring) {
        this.endpoints = new Endpoints(json, views, wiring.firmware(), wiring.jobs(), wiring.deviceLists());
        this.observability = wiring.observability();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ApiResponse response;
        try (Observability.Invocation ignored = observability.begin(context)) {
            response = handle(input.readAllBytes());
        }
        ObjectNode out = json.createObjectNode();
        out.put("statusCode", response.status());
        ObjectNode headers = out.putObject("headers");
        headers.put("content-type", "application/json");
        response.headers().forEach(headers::put);
        if (response.body() != null) {
            out.put("body", json.writeValueAsString(response.body()));
        }
        out.put("isBase64Encoded", false);
        json.writeValue(output, out);
    }

    ApiResponse handle(byte[] eventBytes) {
        ApiRequest request = null;
        try {
            JsonNode event;
            try {
                event = json.readTree(eventBytes);
            } catch (IOException e) {
                throw ApiError.invalid("the event is not JSON");
            }
            request = ApiRequest.from(event);
            ApiResponse response = Router.dispatch(endpoints, request);
            log.info(
                    "api_request",
                    "method",
                    request.method(),
                    "path",
                    request.path(),
                    "status",
                    response.status(),
                    "requestId",
                    request.requestId());
            return response;
        } catch (ApiError e) {
            return refuse(request, e.status(), e.code(), e.getMessage(), e.headers());
        } catch (OperatorException e) {
            return refuse(request, e.code().httpStatus(), e.code().name(), e.getMessage(), Map.of());
        } catch (InvalidMessageException | IllegalArgumentException e) {
            // Validation inside the operations (records' own checks): still the request's fault.
            return refuse(request, 400, ApiError.INVALID_REQUEST, String.valueOf(e.getMessage()), Map.of());
        } catch (AwsServiceException e) {
            boolean busy = e.isThrottlingException() || e.statusCode() == 503;
            log.error(
                    "api_aws_error",
                    "path",
                    request == null ? null : request.path(),
                    "service",
                    e.awsErrorDetails() == null ? null : e.awsErrorDetails().serviceName(),
                    "error",
                    e.getMessage());
            return busy
                    ? refuse(
                            request,
                            503,
                            ApiError.SERVICE_UNAVAILABLE,
                            "AWS is throttling this API; retry with backoff",
                            Map.of())
                    : refuse(
                            request,
                            500,
                            ApiError.INTERNAL_ERROR,
                            "an AWS call failed; see the function's log (request "
                                    + (request == null ? "?" : request.requestId()) + ")",
                            Map.of());
        } catch (SdkClientException e) {
            log.error("api_aws_unreachable", "error", e.getMessage());
            return refuse(
                    request, 503, ApiError.SERVICE_UNAVAILABLE, "an AWS service could not be reached; retry", Map.of());
        } catch (SdkException | IllegalStateException | UnsupportedOperationException | NullPointerException e) {
            log.error(
                    "api_internal_error", "path", request == null ? null : request.path(), "error", String.valueOf(e));
            return refuse(
                    request,
                    500,
                    ApiError.INTERNAL_ERROR,
                    "internal error (request " + (request == null ? "?" : request.requestId()) + ")",
                    Map.of());
        }
    }

    private ApiResponse refuse(
            ApiRequest request, int status, String code, String message, Map<String, String> headers) {
        log.warn(
                "api_refused",
                "method",
                request == null ? null : request.method(),
                "path",
                request == null ? null : request.path(),
                "status",
                status,
                "code",
                code,
                "message",
                message,
                "requestId",
                request == null ? null : request.requestId());
        return new ApiResponse(status, views.error(code, message), headers);
    }
}
