package dev.ota.app.jobs;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.job.JobRecord;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.LateTargets;
import dev.ota.port.out.RolloutStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dynamic jobs take devices that qualify after the job was created: a free device (no live
 * execution) that reports a source version of the job, or any version but the target for a
 * PRODUCT job, or that a dynamic job skipped earlier because another job held it (or, for a list
 * narrowed by source versions, because it was not on one of them yet).
 *
 * <p>Cost on the version-report path: the product's live dynamic jobs are cached per container for
 * {@link EngineTuning#dynamicJobsTtl()} (one index query per product per container per TTL; none
 * for a product without dynamic jobs beyond that query). Qualifying is decided in memory from the
 * device item the report already read. Only a device that qualifies costs a write: one
 * transaction that adds its QUEUED row (the rollout then releases it at the job's rate, in the last
 * group). A device whose last execution belonged to the job is not taken again (it had its
 * attempts), so a device that failed for good cannot loop through a dynamic job either.
 */
public final class DynamicEnrollment implements LateTargets {

    /** Late devices queue after every initial target (whose positions count up from 0). */
    public static final long LATE_SEQ_BASE = 1_000_000_000_000_000L;

    private final JobRepository jobs;
    private final RolloutStore rollout;
    private final Clock clock;
    private final Duration ttl;
    private final StructuredLog log;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(List<JobRecord> jobs, Instant fetchedAt) {}

    public DynamicEnrollment(JobRepository jobs, RolloutStore rollout, Clock clock, Duration ttl, StructuredLog log) {
        this.jobs = jobs;
        this.rollout = rollout;
        this.clock = clock;
        this.ttl = ttl;
        this.log = log;
    }

    @Override
    public void deviceIsFree(DeviceState state, String version, Instant receivedAt) {
        if (state.liveExecution().isPresent()) {
            return;
        }
        Execution last = state.execution();
        for (JobRecord job : dynamicJobs(state.device().productId())) {
            if (job.targetVersion().equals(version)
                    || (last != null && last.jobId().equals(job.jobId()))) {
                continue;
            }
            boolean waiting = state.waitingJobs().contains(job.jobId())
                    && job.definition().acceptsVersion(version);
            if (!waiting && !job.definition().qualifiesByVersion(version)) {
                continue;
            }
            long seq = LATE_SEQ_BASE + receivedAt.toEpochMilli();
            if (rollout.enqueueLate(
                    state.device(), job.jobId(), job.productId(), job.targetVersion(), version, seq, receivedAt)) {
                log.info(
                        "dynamic_enrolled",
                        "jobId",
                        job.jobId(),
                        "device",
                        state.device().key(),
                        "version",
                        version,
                        "waited",
                        waiting);
                return;
            }
        }
    }

    private List<JobRecord> dynamicJobs(String productId) {
        Instant now = clock.instant();
        Cached cached = cache.get(productId);
        if (cached == null || cached.fetchedAt().plus(ttl).isBefore(now)) {
            cached = new Cached(jobs.liveDynamicJobs(productId), now);
            cache.put(productId, cached);
        }
        return cached.jobs();
    }

    /** Forgets the cache (tests, and a container that learns of a new job). */
    public void invalidate() {
        cache.clear();
    }
}
