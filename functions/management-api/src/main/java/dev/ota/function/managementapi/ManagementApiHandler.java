package dev.ota.function.managementapi;

import dev.ota.function.support.UploadSettingsFromEnvironment;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.app.devicelist.DeviceListUploadService;
import dev.ota.app.firmware.FirmwareCatalogService;
import dev.ota.port.in.FirmwareOperations;
import dev.ota.domain.CompletedPart;
import dev.ota.port.in.FirmwareOperations.StartUpload;
import dev.ota.port.in.JobOperations;
import dev.ota.domain.OperatorException;
import dev.ota.aws.dynamodb.DynamoDbClients;
import dev.ota.aws.dynamodb.DynamoDbFirmwareCatalog;
import dev.ota.aws.dynamodb.DynamoDbLiveJobs;
import dev.ota.aws.dynamodb.Tables;
import dev.ota.aws.iot.IotClients;
import dev.ota.aws.jobs.JobOperationsFactory;
import dev.ota.aws.s3.S3Clients;
import dev.ota.aws.s3.S3FirmwareUploads;
import dev.ota.function.support.Settings;
import dev.ota.app.firmware.UploadSettings;
import dev.ota.domain.ExecutionStatus;
import dev.ota.log.StructuredLog;
import dev.ota.domain.InvalidMessageException;
import dev.ota.protocol.ProtocolJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The operators' HTTP API behind an API Gateway HTTP API with IAM authorization (payload format
 * 2.0): the firmware catalogue, device-list uploads, update jobs and device status. Routes are
 * {@link Routes#ALL}. Every refusal is JSON {@code {"code","message"}} with a 4xx status; a 5xx
 * means the fault is ours or AWS's, never the request's.
 */
public final class ManagementApiHandler implements RequestStreamHandler {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final StructuredLog log = new StructuredLog(json, "management-api");
    private final JsonViews views = new JsonViews(json);
    private final FirmwareOperations firmware;
    private final JobOperations jobs;
    private final DeviceListUploadService deviceLists;

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
        this.firmware = new FirmwareCatalogService(new DynamoDbFirmwareCatalog(dynamo, tables), objects, new DynamoDbLiveJobs(dynamo, tables),
                uploads, clock, log);
        // The job engine: the one place its implementation is chosen (see JobOperationsFactory).
        this.jobs = JobOperationsFactory.create(settings, dynamo, s3, iot, presigner, clock);
        this.deviceLists = new DeviceListUploadService(objects, uploads, clock);
    }

    /** For tests: any operations; device-list uploads are then not available. */
    public ManagementApiHandler(FirmwareOperations firmware, JobOperations jobs) {
        this(firmware, jobs, null);
    }

    public ManagementApiHandler(FirmwareOperations firmware, JobOperations jobs, DeviceListUploadService deviceLists) {
        this.firmware = firmware;
        this.jobs = jobs;
        this.deviceLists = deviceLists;
    }

    /** The response API Gateway turns into HTTP. */
    record Response(int status, JsonNode body, Map<String, String> headers) {}

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Response response = handle(input.readAllBytes());
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

    Response handle(byte[] eventBytes) {
        ApiRequest request = null;
        try {
            JsonNode event;
            try {
                event = json.readTree(eventBytes);
            } catch (IOException e) {
                throw ApiError.invalid("the event is not JSON");
            }
            request = ApiRequest.from(event);
            Response response = dispatch(request);
            log.info("api_request", "method", request.method(), "path", request.path(), "status", response.status(),
                    "requestId", request.requestId());
            return response;
        } catch (ApiError e) {
            return refuse(request, e.status(), e.code(), e.getMessage(), Map.of());
        } catch (MethodNotAllowed e) {
            return refuse(request, 405, ApiError.METHOD_NOT_ALLOWED, e.getMessage(), Map.of("allow", e.allow));
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

    private Response refuse(ApiRequest request, int status, String code, String message, Map<String, String> headers) {
        log.warn("api_refused", "method", request == null ? null : request.method(), "path", request == null ? null : request.path(),
                "status", status, "code", code, "message", message, "requestId", request == null ? null : request.requestId());
        return new Response(status, views.error(code, message), headers);
    }

    private static final class MethodNotAllowed extends RuntimeException {
        final String allow;

        MethodNotAllowed(String method, String path, String allow) {
            super(method + " is not allowed on " + path + "; allowed: " + allow, null, false, false);
            this.allow = allow;
        }
    }

    /** The route for a request, with its path parameters. */
    record Matched(Route route, Map<String, String> params) {
        String param(String name) {
            return params.get(name);
        }
    }

    static Matched match(String method, List<String> segments, String path) {
        List<Route> samePath = new java.util.ArrayList<>();
        for (Route route : Routes.ALL) {
            Map<String, String> params = route.match(segments);
            if (params != null) {
                if (route.method().equals(method)) {
                    return new Matched(route, params);
                }
                samePath.add(route);
            }
        }
        if (samePath.isEmpty()) {
            throw new ApiError(404, ApiError.ROUTE_NOT_FOUND, "no route " + method + " " + path);
        }
        throw new MethodNotAllowed(method, path, samePath.stream().map(Route::method).distinct().collect(Collectors.joining(", ")));
    }

    private Response dispatch(ApiRequest request) {
        Matched m = match(request.method(), request.segments(), request.path());
        Route route = m.route();
        if (!route.method().equals("POST") && !route.method().equals("PATCH")) {
            if (request.body().length > 0) {
                throw ApiError.invalid(route.method() + " " + route.path() + " takes no body");
            }
        }
        if (route != Routes.LIST_FIRMWARE && route != Routes.LIST_JOBS && route != Routes.LIST_JOB_DEVICES) {
            request.allowQuery(Set.of());
        }
        if (route == Routes.START_FIRMWARE_UPLOAD) {
            Body b = body(request).only(Set.of("productId", "version", "fileName", "fileSize", "md5sum", "description"));
            StartUpload start = new StartUpload(b.string("productId", true), b.string("version", true), b.string("fileName", false),
                    b.wholeNumber("fileSize", true, Long.MIN_VALUE, Long.MAX_VALUE), b.string("md5sum", true), b.string("description", false));
            return ok(201, views.uploadTicket(firmware.startUpload(start)));
        }
        if (route == Routes.LIST_FIRMWARE) {
            request.allowQuery(Set.of("productId", "nextToken", "limit"));
            return ok(200, views.page(firmware.list(request.query("productId"), request.query("nextToken"),
                    request.limit(DEFAULT_LIMIT, MAX_LIMIT)), views::firmware));
        }
        if (route == Routes.DESCRIBE_FIRMWARE) {
            return ok(200, views.firmware(firmware.describe(m.param("productId"), m.param("version"))));
        }
        if (route == Routes.EDIT_FIRMWARE) {
            Body b = body(request).only(Set.of("description"));
            return ok(200, views.firmware(firmware.editDescription(m.param("productId"), m.param("version"), b.string("description", true))));
        }
        if (route == Routes.DELETE_FIRMWARE) {
            firmware.delete(m.param("productId"), m.param("version"));
            return new Response(204, null, Map.of());
        }
        if (route == Routes.COMPLETE_FIRMWARE_UPLOAD) {
            Body b = body(request).only(Set.of("uploadId", "parts"));
            String uploadId = b.string("uploadId", true);
            List<CompletedPart> parts = b.array("parts", true, 10_000, e -> {
                Body p = e.object().only(Set.of("partNumber", "etag"));
                return new CompletedPart(p.integer("partNumber", true, 1, 10_000), p.string("etag", true));
            });
            return ok(200, views.firmware(firmware.completeUpload(m.param("productId"), m.param("version"), uploadId, parts)));
        }
        if (route == Routes.START_DEVICE_LIST_UPLOAD) {
            Body b = body(request).only(Set.of("productId"));
            String productId = b.string("productId", true);
            if (deviceLists == null) {
                throw new OperatorException(OperatorException.Code.NOT_FOUND, "device-list uploads are not configured");
            }
            return ok(201, views.deviceListUpload(deviceLists.start(productId)));
        }
        if (route == Routes.CREATE_JOB) {
            return ok(201, views.job(jobs.create(JobRequests.createJob(body(request)))));
        }
        if (route == Routes.LIST_JOBS) {
            request.allowQuery(Set.of("productId", "nextToken", "limit"));
            return ok(200, views.page(jobs.list(request.query("productId"), request.query("nextToken"), request.limit(DEFAULT_LIMIT, MAX_LIMIT)),
                    views::job));
        }
        if (route == Routes.DESCRIBE_JOB) {
            return ok(200, views.job(jobs.describe(m.param("jobId"))));
        }
        if (route == Routes.PAUSE_JOB || route == Routes.RESUME_JOB || route == Routes.CANCEL_JOB) {
            emptyBody(request);
            JobOperations.JobView view = route == Routes.PAUSE_JOB ? jobs.pause(m.param("jobId"))
                    : route == Routes.RESUME_JOB ? jobs.resume(m.param("jobId")) : jobs.cancel(m.param("jobId"));
            return ok(200, views.job(view));
        }
        if (route == Routes.JOB_STATISTICS) {
            return ok(200, views.statistics(jobs.statistics(m.param("jobId"))));
        }
        if (route == Routes.LIST_JOB_DEVICES) {
            request.allowQuery(Set.of("status", "nextToken", "limit"));
            return ok(200, views.page(jobs.devices(m.param("jobId"), status(request.query("status")), request.query("nextToken"),
                    request.limit(DEFAULT_LIMIT, MAX_LIMIT)), views::execution));
        }
        if (route == Routes.CANCEL_JOB_DEVICE || route == Routes.RETRY_JOB_DEVICE) {
            emptyBody(request);
            return ok(200, views.execution(route == Routes.CANCEL_JOB_DEVICE
                    ? jobs.cancelDevice(m.param("jobId"), m.param("deviceName"))
                    : jobs.retryDevice(m.param("jobId"), m.param("deviceName"))));
        }
        if (route == Routes.DESCRIBE_DEVICE) {
            return ok(200, views.device(jobs.device(m.param("productId"), m.param("deviceName"))));
        }
        throw new IllegalStateException("route " + route.routeKey() + " has no operation");
    }

    private static ExecutionStatus status(String text) {
        if (text == null) {
            return null;
        }
        try {
            return ExecutionStatus.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("status must be one of " + java.util.Arrays.toString(ExecutionStatus.values()) + ", not '" + text + "'");
        }
    }

    private static Response ok(int status, JsonNode body) {
        return new Response(status, body, Map.of());
    }

    private Body body(ApiRequest request) {
        checkContentType(request);
        if (request.body().length == 0) {
            throw ApiError.invalid("the body is missing: this operation takes a JSON object");
        }
        try {
            return Body.of(json.readTree(request.body()));
        } catch (JsonProcessingException e) {
            throw new ApiError(400, ApiError.MALFORMED_JSON, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiError(400, ApiError.MALFORMED_JSON, "the body could not be read");
        }
    }

    /** pause, resume, cancel: no body, or an empty JSON object. */
    private void emptyBody(ApiRequest request) {
        if (request.body().length > 0) {
            body(request).only(Set.of());
        }
    }

    private static void checkContentType(ApiRequest request) {
        String type = request.header("content-type");
        if (type != null && !type.isBlank()) {
            String media = type.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (!media.equals("application/json") && !media.endsWith("+json")) {
                throw new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, not " + media);
            }
        }
    }
}
