package dev.ota.function.managementapi;

import java.util.List;

/** Every route the management API serves. The single source the handler dispatches on. */
public final class Routes {
    private Routes() {}

    public static final Route START_FIRMWARE_UPLOAD = new Route("POST", "/firmware", "startFirmwareUpload");
    public static final Route LIST_FIRMWARE = new Route("GET", "/firmware", "listFirmware");
    public static final Route DESCRIBE_FIRMWARE = new Route("GET", "/firmware/{productId}/{version}", "describeFirmware");
    public static final Route EDIT_FIRMWARE = new Route("PATCH", "/firmware/{productId}/{version}", "editFirmware");
    public static final Route DELETE_FIRMWARE = new Route("DELETE", "/firmware/{productId}/{version}", "deleteFirmware");
    public static final Route COMPLETE_FIRMWARE_UPLOAD = new Route("POST", "/firmware/{productId}/{version}/complete", "completeFirmwareUpload");
    public static final Route START_DEVICE_LIST_UPLOAD = new Route("POST", "/device-lists", "startDeviceListUpload");
    public static final Route CREATE_JOB = new Route("POST", "/jobs", "createJob");
    public static final Route LIST_JOBS = new Route("GET", "/jobs", "listJobs");
    public static final Route DESCRIBE_JOB = new Route("GET", "/jobs/{jobId}", "describeJob");
    public static final Route PAUSE_JOB = new Route("POST", "/jobs/{jobId}/pause", "pauseJob");
    public static final Route RESUME_JOB = new Route("POST", "/jobs/{jobId}/resume", "resumeJob");
    public static final Route CANCEL_JOB = new Route("POST", "/jobs/{jobId}/cancel", "cancelJob");
    public static final Route JOB_STATISTICS = new Route("GET", "/jobs/{jobId}/statistics", "getJobStatistics");
    public static final Route LIST_JOB_DEVICES = new Route("GET", "/jobs/{jobId}/devices", "listJobDevices");
    public static final Route CANCEL_JOB_DEVICE = new Route("POST", "/jobs/{jobId}/devices/{deviceName}/cancel", "cancelJobDevice");
    public static final Route RETRY_JOB_DEVICE = new Route("POST", "/jobs/{jobId}/devices/{deviceName}/retry", "retryJobDevice");
    public static final Route DESCRIBE_DEVICE = new Route("GET", "/devices/{productId}/{deviceName}", "describeDevice");

    public static final List<Route> ALL = List.of(
            START_FIRMWARE_UPLOAD, LIST_FIRMWARE, DESCRIBE_FIRMWARE, EDIT_FIRMWARE, DELETE_FIRMWARE, COMPLETE_FIRMWARE_UPLOAD,
            START_DEVICE_LIST_UPLOAD,
            CREATE_JOB, LIST_JOBS, DESCRIBE_JOB, PAUSE_JOB, RESUME_JOB, CANCEL_JOB, JOB_STATISTICS, LIST_JOB_DEVICES,
            CANCEL_JOB_DEVICE, RETRY_JOB_DEVICE,
            DESCRIBE_DEVICE);
}
