package dev.ota.function.managementapi;

import java.util.List;
import java.util.Set;

/**
 * Every route the management API serves, and the {@link Endpoints} method each runs: the one
 * table the handler dispatches on ({@link Router}), and the list tests compare with template.yaml
 * and docs/openapi.yaml.
 */
public final class Routes {
    private Routes() {}

    public static final Route START_FIRMWARE_UPLOAD =
            route("POST", "/firmware", "startFirmwareUpload", Endpoints::startFirmwareUpload);
    public static final Route LIST_FIRMWARE =
            route("GET", "/firmware", "listFirmware", Endpoints::listFirmware, "productId");
    public static final Route DESCRIBE_FIRMWARE =
            route("GET", "/firmware/{productId}/{version}", "describeFirmware", Endpoints::describeFirmware);
    public static final Route EDIT_FIRMWARE =
            route("PATCH", "/firmware/{productId}/{version}", "editFirmware", Endpoints::editFirmware);
    public static final Route DELETE_FIRMWARE =
            route("DELETE", "/firmware/{productId}/{version}", "deleteFirmware", Endpoints::deleteFirmware);
    public static final Route COMPLETE_FIRMWARE_UPLOAD = route(
            "POST",
            "/firmware/{productId}/{version}/complete",
            "completeFirmwareUpload",
            Endpoints::completeFirmwareUpload);
    public static final Route START_DEVICE_LIST_UPLOAD =
            route("POST", "/device-lists", "startDeviceListUpload", Endpoints::startDeviceListUpload);
    public static final Route CREATE_JOB = route("POST", "/jobs", "createJob", Endpoints::createJob);
    public static final Route COUNT_JOB_TARGETS =
            route("POST", "/jobs/dry-run", "countJobTargets", Endpoints::countJobTargets);
    public static final Route LIST_JOBS = route("GET", "/jobs", "listJobs", Endpoints::listJobs, "productId");
    public static final Route DESCRIBE_JOB = route("GET", "/jobs/{jobId}", "describeJob", Endpoints::describeJob);
    public static final Route UPDATE_JOB = route("PATCH", "/jobs/{jobId}", "updateJob", Endpoints::updateJob);
    public static final Route DELETE_JOB = route("DELETE", "/jobs/{jobId}", "deleteJob", Endpoints::deleteJob);
    public static final Route PAUSE_JOB = route("POST", "/jobs/{jobId}/pause", "pauseJob", Endpoints::pauseJob);
    public static final Route RESUME_JOB = route("POST", "/jobs/{jobId}/resume", "resumeJob", Endpoints::resumeJob);
    public static final Route CANCEL_JOB = route("POST", "/jobs/{jobId}/cancel", "cancelJob", Endpoints::cancelJob);
    public static final Route JOB_STATISTICS =
            route("GET", "/jobs/{jobId}/statistics", "getJobStatistics", Endpoints::jobStatistics);
    public static final Route JOB_HEALTH = route("GET", "/jobs/{jobId}/health", "getJobHealth", Endpoints::jobHealth);
    public static final Route PRODUCT_VERSIONS =
            route("GET", "/products/{productId}/versions", "getProductVersions", Endpoints::productVersions);
    public static final Route RECOUNT_JOB = route("POST", "/jobs/{jobId}/recount", "recountJob", Endpoints::recountJob);
    public static final Route LIST_JOB_DEVICES =
            route("GET", "/jobs/{jobId}/devices", "listJobDevices", Endpoints::listJobDevices, "status");
    public static final Route CANCEL_JOB_DEVICE =
            route("POST", "/jobs/{jobId}/devices/{deviceName}/cancel", "cancelJobDevice", Endpoints::cancelJobDevice);
    public static final Route RETRY_JOB_DEVICE =
            route("POST", "/jobs/{jobId}/devices/{deviceName}/retry", "retryJobDevice", Endpoints::retryJobDevice);
    public static final Route DESCRIBE_DEVICE =
            route("GET", "/devices/{productId}/{deviceName}", "describeDevice", Endpoints::describeDevice);
    public static final Route LIST_DEVICE_EXECUTIONS = new Route(
            "GET",
            "/devices/{productId}/{deviceName}/executions",
            "listDeviceExecutions",
            Set.of("nextToken", "limit"),
            Endpoints::listDeviceExecutions);

    public static final List<Route> ALL = List.of(
            START_FIRMWARE_UPLOAD,
            LIST_FIRMWARE,
            DESCRIBE_FIRMWARE,
            EDIT_FIRMWARE,
            DELETE_FIRMWARE,
            COMPLETE_FIRMWARE_UPLOAD,
            START_DEVICE_LIST_UPLOAD,
            CREATE_JOB,
            COUNT_JOB_TARGETS,
            LIST_JOBS,
            DESCRIBE_JOB,
            UPDATE_JOB,
            DELETE_JOB,
            PAUSE_JOB,
            RESUME_JOB,
            CANCEL_JOB,
            JOB_STATISTICS,
            JOB_HEALTH,
            RECOUNT_JOB,
            LIST_JOB_DEVICES,
            CANCEL_JOB_DEVICE,
            RETRY_JOB_DEVICE,
            DESCRIBE_DEVICE,
            LIST_DEVICE_EXECUTIONS,
            PRODUCT_VERSIONS);

    /** A route that takes no query parameters. */
    private static Route route(String method, String path, String operationId, Route.Operation operation) {
        return new Route(method, path, operationId, Set.of(), operation);
    }

    /** A listing: it takes {@code filter} and the page parameters nextToken and limit. */
    private static Route route(
            String method, String path, String operationId, Route.Operation operation, String filter) {
        return new Route(method, path, operationId, Set.of(filter, "nextToken", "limit"), operation);
    }
}
