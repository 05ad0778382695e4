package dev.ota.function.managementapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.devicelist.DeviceListUploadService;
import dev.ota.domain.CompletedPart;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.OperatorException;
import dev.ota.port.in.FirmwareOperations;
import dev.ota.port.in.FirmwareOperations.StartUpload;
import dev.ota.port.in.JobOperations;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The operations behind the routes, one method a route (see {@link Routes}): read the request
 * (body fields, query, path parameters), call the firmware, job or device-list service, and
 * answer with its JSON view. The {@link Router} has already checked the route's method, path
 * and query parameter names.
 */
final class Endpoints {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    private final ObjectMapper json;
    private final JsonViews views;
    private final FirmwareOperations firmware;
    private final JobOperations jobs;
    private final DeviceListUploadService deviceLists;

    /** {@code deviceLists} may be null: device-list uploads are then not available (404). */
    Endpoints(
            ObjectMapper json,
            JsonViews views,
            FirmwareOperations firmware,
            JobOperations jobs,
            DeviceListUploadService deviceLists) {
        this.json = json;
        this.views = views;
        this.firmware = firmware;
        this.jobs = jobs;
        this.deviceLists = deviceLists;
    }

    // --- firmware

    ApiResponse startFirmwareUpload(ApiRequest request, Map<String, String> p) {
        Body b = body(request).only(Set.of("productId", "version", "fileName", "fileSize", "md5sum", "description"));
        StartUpload start = new StartUpload(
                b.string("productId", true),
                b.string("version", true),
                b.string("fileName", false),
                b.wholeNumber("fileSize", true, Long.MIN_VALUE, Long.MAX_VALUE),
                b.string("md5sum", true),
                b.string("description", false));
        return ApiResponse.ok(201, views.uploadTicket(firmware.startUpload(start)));
    }

    ApiResponse listFirmware(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(
                200,
                views.page(
                        firmware.list(request.query("productId"), request.query("nextToken"), limit(request)),
                        views::firmware));
    }

    ApiResponse describeFirmware(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(200, views.firmware(firmware.describe(p.get("productId"), p.get("version"))));
    }

    ApiResponse editFirmware(ApiRequest request, Map<String, String> p) {
        Body b = body(request).only(Set.of("description"));
        return ApiResponse.ok(
                200,
                views.firmware(
                        firmware.editDescription(p.get("productId"), p.get("version"), b.string("description", true))));
    }

    ApiResponse deleteFirmware(ApiRequest request, Map<String, String> p) {
        firmware.delete(p.get("productId"), p.get("version"));
        return ApiResponse.noContent();
    }

    ApiResponse completeFirmwareUpload(ApiRequest request, Map<String, String> p) {
        Body b = body(request).only(Set.of("uploadId", "parts"));
        String uploadId = b.string("uploadId", true);
        List<CompletedPart> parts = b.array("parts", true, 10_000, e -> {
            Body part = e.object().only(Set.of("partNumber", "etag"));
            return new CompletedPart(part.integer("partNumber", true, 1, 10_000), part.string("etag", true));
        });
        return ApiResponse.ok(
                200, views.firmware(firmware.completeUpload(p.get("productId"), p.get("version"), uploadId, parts)));
    }

    // --- device lists

    ApiResponse startDeviceListUpload(ApiRequest request, Map<String, String> p) {
        Body b = body(request).only(Set.of("productId"));
        String productId = b.string("productId", true);
        if (deviceLists == null) {
            throw new OperatorException(OperatorException.Code.NOT_FOUND, "device-list uploads are not configured");
        }
        return ApiResponse.ok(201, views.deviceListUpload(deviceLists.start(productId)));
    }

    // --- jobs

    ApiResponse createJob(ApiRequest request, Map<String, String> p) {
        JobRequests.Create create = JobRequests.create(body(request));
        return ApiResponse.ok(201, views.job(jobs.create(create.job(), create.clientToken(), request.caller())));
    }

    /** A dry run of createJob: the same body, checked the same way; the devices it would target now. */
    ApiResponse countJobTargets(ApiRequest request, Map<String, String> p) {
        JobRequests.Create create = JobRequests.create(body(request));
        return ApiResponse.ok(200, views.targetCount(jobs.countTargets(create.job())));
    }

    ApiResponse updateJob(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(200, views.job(jobs.update(p.get("jobId"), JobRequests.updateJob(body(request)))));
    }

    /** 204 once the job and its executions are gone; 202 with the job while the scheduler finishes deleting. */
    ApiResponse deleteJob(ApiRequest request, Map<String, String> p) {
        return jobs.delete(p.get("jobId"))
                .map(job -> ApiResponse.ok(202, views.job(job)))
                .orElseGet(ApiResponse::noContent);
    }

    ApiResponse listJobs(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(
                200,
                views.page(
                        jobs.list(request.query("productId"), request.query("nextToken"), limit(request)), views::job));
    }

    ApiResponse describeJob(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(200, views.jobWithEvents(jobs.describe(p.get("jobId"))));
    }

    ApiResponse pauseJob(ApiRequest request, Map<String, String> p) {
        emptyBody(request);
        return ApiResponse.ok(200, views.job(jobs.pause(p.get("jobId"), request.caller())));
    }

    ApiResponse resumeJob(ApiRequest request, Map<String, String> p) {
        emptyBody(request);
        return ApiResponse.ok(200, views.job(jobs.resume(p.get("jobId"), request.caller())));
    }

    ApiResponse cancelJob(ApiRequest request, Map<String, String> p) {
        emptyBody(request);
        return ApiResponse.ok(200, views.job(jobs.cancel(p.get("jobId"), request.caller())));
    }

    ApiResponse jobStatistics(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(200, views.statistics(jobs.statistics(p.get("jobId"))));
    }

    ApiResponse jobHealth(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(200, views.health(jobs.health(p.get("jobId"))));
    }

    ApiResponse productVersions(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(200, views.versions(jobs.versions(p.get("productId"))));
    }

    /** Body: none, {} (check only) or {"repair": true}. */
    ApiResponse recountJob(ApiRequest request, Map<String, String> p) {
        boolean repair = false;
        if (request.body().length > 0) {
            Body body = body(request).only(Set.of("repair"));
            repair = Boolean.TRUE.equals(body.bool("repair", false));
        }
        return ApiResponse.ok(200, views.recount(jobs.recount(p.get("jobId"), repair)));
    }

    ApiResponse listJobDevices(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(
                200,
                views.page(
                        jobs.devices(
                                p.get("jobId"),
                                status(request.query("status")),
                                request.query("nextToken"),
                                limit(request)),
                        views::execution));
    }

    ApiResponse cancelJobDevice(ApiRequest request, Map<String, String> p) {
        emptyBody(request);
        return ApiResponse.ok(200, views.execution(jobs.cancelDevice(p.get("jobId"), p.get("deviceName"))));
    }

    ApiResponse retryJobDevice(ApiRequest request, Map<String, String> p) {
        emptyBody(request);
        return ApiResponse.ok(200, views.execution(jobs.retryDevice(p.get("jobId"), p.get("deviceName"))));
    }

    // --- devices

    ApiResponse describeDevice(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(200, views.device(jobs.device(p.get("productId"), p.get("deviceName"))));
    }

    ApiResponse listDeviceExecutions(ApiRequest request, Map<String, String> p) {
        return ApiResponse.ok(
                200,
                views.page(
                        jobs.deviceHistory(
                                p.get("productId"), p.get("deviceName"), request.query("nextToken"), limit(request)),
                        views::execution));
    }

    // --- intake shared by the operations

    private static int limit(ApiRequest request) {
        return request.limit(DEFAULT_LIMIT, MAX_LIMIT);
    }

    private static ExecutionStatus status(String text) {
        if (text == null) {
            return null;
        }
        try {
            return ExecutionStatus.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(
                    "status must be one of " + Arrays.toString(ExecutionStatus.values()) + ", not '" + text + "'");
        }
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

    /** pause, resume, cancel, retry: no body, or an empty JSON object. */
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
                throw new ApiError(
                        415, ApiError.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, not " + media);
            }
        }
    }
}
