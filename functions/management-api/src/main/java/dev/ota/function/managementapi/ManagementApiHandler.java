package dev.ota.function.managementapi;

import dev.ota.function.support.UploadSettingsFromEnvironment;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.app.devicelist.DeviceListUploadService;
import dev.ota.app.firmware.FirmwareCatalogService;
import dev.ota.port.in.FirmwareOperations;
import dev.ota.port.in.JobOperations;
import dev.ota.domain.OperatorException;
import dev.ota.aws.dynamodb.DynamoDbClients;
import dev.ota.aws.dynamodb.DynamoDbFirmwareCatalog;
import dev.ota.aws.dynamodb.DynamoDbJobRepository;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.iot.IotClients;
import dev.ota.aws.jobs.JobOperationsFactory;
import dev.ota.aws.s3.S3Clients;
import dev.ota.aws.s3.S3FirmwareUploads;
import dev.ota.function.support.Settings;
import dev.ota.app.firmware.UploadSettings;
import dev.ota.log.StructuredLog;
import dev.ota.domain.InvalidMessageException;
import dev.ota.protocol.ProtocolJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

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

    /** Lambda's constructor: settings and clients from the environment Lambda sets. */
    public ManagementApiHandler() {
        this(Settings.fromEnvironment(), UploadSettingsFromEnvironment.read());
    }

    private ManagementApiHandler(Settings settings, UploadSettings uploads) {
        this(settings, uploads, DynamoDbClients.fromEnvironment(), S3Clients.clientFromEnvironment(), S3Clients.presignerFromEnvironment(),
                IotClients.dataPlaneFromEnvironment(settings.iotDataEndpoint()));
    }

    /** The function as deployed, on the given clients. */
    public ManagementApiHandler(Settings settings, UploadSettings uploads, DynamoDbClient dynamo, S3Client s3, S3Presigner presigner,
                                IotDataPlaneClient iot) {
        this(settings, uploads, dynamo, s3, presigner, iot, Clock.systemUTC());
    }

    /** The same on a given clock: the local stack passes its stand-ins and the clock its scheduler runs on. */
    public ManagementApiHandler(Settings settings, UploadSettings uploads, DynamoDbClient dynamo, S3Client s3, S3Presigner presigner,
                                IotDataPlaneClient iot, Clock clock) {
        Tables tables = settings.tables();
        S3FirmwareUploads objects = new S3FirmwareUploads(s3, presigner, settings.firmwareBucket());
        FirmwareOperations firmware = new FirmwareCatalogService(new DynamoDbFirmwareCatalog(dynamo, tables), objects,
                new DynamoDbJobRepository(dynamo, tables), uploads, clock, log);
        // The job engine: the one place its implementation is chosen (see JobOperationsFactory).
        JobOperations jobs = JobOperationsFactory.create(settings, dynamo, s3, iot, presigner, clock);
        this.endpoints = new Endpoints(json, views, firmware, jobs, new DeviceListUploadService(objects, uploads, clock));
    }

    /** For tests: any operations; device-list uploads are then not available. */
    public ManagementApiHandler(FirmwareOperations firmware, JobOperations jobs) {
        this(firmware, jobs, null);
    }

    public ManagementApiHandler(FirmwareOperations firmware, JobOperations jobs, DeviceListUploadService deviceLists) {
        this.endpoints = new Endpoints(json, views, firmware, jobs, deviceLists);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        ApiResponse response = handle(input.readAllBytes());
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
            log.info("api_request", "method", request.method(), "path", request.path(), "status", response.status(),
                    "requestId", request.requestId());
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
            log.error("api_aws_error", "path", request == null ? null : request.path(), "service", e.awsErrorDetails() == null ? null
                    : e.awsErrorDetails().serviceName(), "error", e.getMessage());
            return busy ? refuse(request, 503, ApiError.SERVICE_UNAVAILABLE, "AWS is throttling this API; retry with backoff", Map.of())
                    : refuse(request, 500, ApiError.INTERNAL_ERROR, "an AWS call failed; see the function's log (request "
                            + (request == null ? "?" : request.requestId()) + ")", Map.of());
        } catch (SdkClientException e) {
            log.error("api_aws_unreachable", "error", e.getMessage());
            return refuse(request, 503, ApiError.SERVICE_UNAVAILABLE, "an AWS service could not be reached; retry", Map.of());
        } catch (SdkException | IllegalStateException | UnsupportedOperationException | NullPointerException e) {
            log.error("api_internal_error", "path", request == null ? null : request.path(), "error", String.valueOf(e));
            return refuse(request, 500, ApiError.INTERNAL_ERROR, "internal error (request " + (request == null ? "?" : request.requestId()) + ")",
                    Map.of());
        }
    }

    private ApiResponse refuse(ApiRequest request, int status, String code, String message, Map<String, String> headers) {
        log.warn("api_refused", "method", request == null ? null : request.method(), "path", request == null ? null : request.path(),
                "status", status, "code", code, "message", message, "requestId", request == null ? null : request.requestId());
        return new ApiResponse(status, views.error(code, message), headers);
    }
}
