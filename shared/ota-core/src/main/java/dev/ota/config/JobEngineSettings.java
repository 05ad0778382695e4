package dev.ota.config;

import dev.ota.app.jobs.EngineTuning;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * The job scheduler's configuration, from the environment template.yaml sets on its functions:
 * the work queue and how much one invocation takes on. Separate from {@link Settings}, which every
 * function shares.
 *
 * @param workQueueUrl null for functions that only read jobs or expand inline (the HTTP API)
 */
public record JobEngineSettings(String workQueueUrl, EngineTuning tuning) {

    public static JobEngineSettings fromEnvironment() {
        return from(System::getenv);
    }

    public static JobEngineSettings from(Map<String, String> values) {
        return from(values::get);
    }

    private static JobEngineSettings from(Function<String, String> env) {
        EngineTuning d = EngineTuning.DEFAULTS;
        EngineTuning tuning = new EngineTuning(
                Duration.ofSeconds(number(env, "JOB_WORK_BUDGET_SECONDS", d.workBudget().toSeconds())),
                (int) number(env, "JOB_EXPAND_BATCH", d.expandBatch()),
                (int) number(env, "JOB_RELEASE_CHUNK", d.releaseChunk()),
                d.pageSize(),
                d.maxPlanned(),
                d.expansionStaleAfter(),
                Duration.ofSeconds(number(env, "DYNAMIC_JOBS_CACHE_SECONDS", d.dynamicJobsTtl().toSeconds())),
                d.inlineExpansion());
        String url = env.apply("JOB_QUEUE_URL");
        return new JobEngineSettings(url == null || url.isBlank() ? null : url, tuning);
    }

    private static long number(Function<String, String> env, String name, long fallback) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " is not a whole number: " + value);
        }
    }
}
