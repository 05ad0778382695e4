package dev.ota.function.support;

import dev.ota.app.jobs.EngineTuning;
import java.time.Duration;
import java.util.Map;

/**
 * The job scheduler's configuration, from the environment template.yaml sets on its functions:
 * the work queue and how much one invocation takes on. Separate from {@link Settings}, which every
 * function shares.
 *
 * @param workQueueUrl null for functions that only read jobs or expand inline (the HTTP API)
 * @param firmwareUploadTimeout a firmware still UPLOADING this long after its upload started is
 *     REJECTED by the scheduler's tick ({@code FIRMWARE_UPLOAD_TIMEOUT_HOURS}, default 24)
 */
public record JobEngineSettings(String workQueueUrl, EngineTuning tuning, Duration firmwareUploadTimeout) {

    public static final Duration DEFAULT_FIRMWARE_UPLOAD_TIMEOUT = Duration.ofHours(24);

    public static JobEngineSettings fromEnvironment() {
        return from(Environment.system());
    }

    public static JobEngineSettings from(Map<String, String> values) {
        return from(Environment.of(values));
    }

    public static JobEngineSettings from(Environment env) {
        EngineTuning d = EngineTuning.DEFAULTS;
        EngineTuning tuning = new EngineTuning(
                env.seconds("JOB_WORK_BUDGET_SECONDS", d.workBudget()),
                (int) env.number("JOB_EXPAND_BATCH", d.expandBatch()),
                (int) env.number("JOB_RELEASE_CHUNK", d.releaseChunk()),
                d.pageSize(),
                d.maxPlanned(),
                d.expansionStaleAfter(),
                env.seconds("DYNAMIC_JOBS_CACHE_SECONDS", d.dynamicJobsTtl()),
                d.inlineExpansion());
        long uploadHours = env.number("FIRMWARE_UPLOAD_TIMEOUT_HOURS", DEFAULT_FIRMWARE_UPLOAD_TIMEOUT.toHours());
        if (uploadHours < 1) {
            throw new IllegalStateException("FIRMWARE_UPLOAD_TIMEOUT_HOURS must be at least 1, not " + uploadHours);
        }
        return new JobEngineSettings(env.optional("JOB_QUEUE_URL"), tuning, Duration.ofHours(uploadHours));
    }

    /** The engine's defaults, for functions that take no engine settings from their environment. */
    public static JobEngineSettings defaults() {
        return from(Map.of());
    }
}
