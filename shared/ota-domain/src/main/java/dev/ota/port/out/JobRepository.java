package dev.ota.port.out;

import dev.ota.domain.Page;
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Jobs with their scheduler state and their exact per-status device counts. */
public interface JobRepository {

    /** Stores a new job; it joins the scheduler's live jobs (and, if dynamic, its product's dynamic jobs). */
    void create(JobRecord job);

    /** What holds a client token: the job it created and the fingerprint of that request. */
    record TokenHolder(String jobId, String requestHash) {}

    /**
     * Stores a new job with its client token in one conditional write: only if the token is free
     * (never used, or expired). Empty when the job was stored; else what holds the token, and
     * nothing was stored.
     */
    Optional<TokenHolder> create(JobRecord job, ClientToken token);

    /**
     * Deletes the item of a job in {@link JobStatus#DELETION_IN_PROGRESS} and its counters; false
     * when the job is not in that state (nothing deleted). Its execution rows must be gone first.
     */
    boolean delete(String jobId);

    /** A product's job ids, newest first: the keys alone (what walking a device's history needs). */
    Page<String> jobIds(String productId, String nextToken, int limit);

    /** Strongly consistent. */
    Optional<JobRecord> find(String jobId);

    /** The job's state alone, strongly consistent: what gates every update_firmware. */
    Optional<JobStatus> state(String jobId);

    JobCounts counts(String jobId);

    Map<String, JobCounts> counts(Collection<String> jobIds);

    /** Newest first; all products when {@code productId} is null. */
    Page<JobRecord> list(String productId, String nextToken, int limit);

    /** Jobs the scheduler still has work for. */
    List<String> liveJobIds();

    /** Dynamic jobs of the product that still take devices, oldest first. */
    List<JobRecord> liveDynamicJobs(String productId);

    /**
     * Adds {@code delta} (per status and per group; retries are left alone) to the job's counters,
     * one write on the job item: an operator's repair of counts that disagree with the rows.
     */
    void adjustCounts(String jobId, JobCounts delta);

    /** Applies the patch if its conditions hold; false when they did not (nothing changed). */
    boolean update(String jobId, JobPatch patch);
}
