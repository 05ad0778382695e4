package dev.ota.app;

import java.util.List;
import java.util.Map;

/** Which devices got the update now, and why the others did not. */
public record UpdateDevicesResult(String jobId, String version, List<String> delivered, Map<String, String> skipped) {}
