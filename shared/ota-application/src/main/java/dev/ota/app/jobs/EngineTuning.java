package dev.ota.app.jobs;

import java.time.Duration;

/**
 * How much work one invocation of the scheduler's functions takes on. Every loop is bounded by
 * {@code workBudget} (well inside the function timeout); what is left goes back on the queue as a
 * continuation message.
 *
 * @param expandBatch names per expansion batch (one checkpoint each)
 * @param releaseChunk devices per RELEASE message (the unit of parallelism of a rollout)
 * @param pageSize devices per read of the due and sweep loops
 * @param maxPlanned devices one PLAN releases at most (the rate caps it before)
 * @param expansionStaleAfter an expansion whose last checkpoint is older is restarted by the next PLAN
 * @param dynamicJobsTtl how long a version-report container caches a product's dynamic jobs
 * @param inlineExpansion how long job creation expands targets itself before the queue takes over
 */
public record EngineTuning(
        Duration workBudget,
        int expandBatch,
        int releaseChunk,
        int pageSize,
        int maxPlanned,
        Duration expansionStaleAfter,
        Duration dynamicJobsTtl,
        Duration inlineExpansion) {

    public static final EngineTuning DEFAULTS = new EngineTuning(
            Duration.ofSeconds(40),
            1000,
            200,
            100,
            100_000,
            Duration.ofMinutes(3),
            Duration.ofSeconds(30),
            Duration.ofSeconds(3));

    public EngineTuning withWorkBudget(Duration budget) {
        return new EngineTuning(
                budget,
                expandBatch,
                releaseChunk,
                pageSize,
                maxPlanned,
                expansionStaleAfter,
                dynamicJobsTtl,
                inlineExpansion);
    }

    public EngineTuning withDynamicJobsTtl(Duration ttl) {
        return new EngineTuning(
                workBudget, expandBatch, releaseChunk, pageSize, maxPlanned, expansionStaleAfter, ttl, inlineExpansion);
    }

    public EngineTuning withExpandBatch(int batch) {
        return new EngineTuning(
                workBudget,
                batch,
                releaseChunk,
                pageSize,
                maxPlanned,
                expansionStaleAfter,
                dynamicJobsTtl,
                inlineExpansion);
    }

    /** A deadline {@code budget} from now on the monotonic clock (never the injectable business clock). */
    static long deadline(Duration budget) {
        return System.nanoTime() + budget.toNanos();
    }

    static boolean before(long deadline) {
        return System.nanoTime() - deadline < 0;
    }
}
