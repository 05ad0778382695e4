package dev.ota.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.rollout.RolloutRate;
import dev.ota.port.out.JobRepository.TokenHolder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The stores' side of update, delete, client tokens and a device's history, on moto_server's tables. */
class DynamoDbJobParityTest extends StoreFixture {

    private final String product = MotoTables.id("P");

    private ClientToken token(String name, String hash) {
        return new ClientToken(name, hash, T0.plus(ClientToken.VALIDITY));
    }

    @Test
    void aFreeTokenStoresTheJobAndAHeldOneAnswersItsHolderAndStoresNothing() {
        String name = MotoTables.id("tok");
        JobRecord first = record(MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, false, T0);
        JobRecord second =
                record(MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, false, T0.plusSeconds(5));

        assertThat(jobs.create(first, token(name, "h1"))).isEmpty();
        assertThat(jobs.create(second, token(name, "h2"))).contains(new TokenHolder(first.jobId(), "h1"));

        assertThat(jobs.find(first.jobId())).isPresent();
        assertThat(jobs.find(second.jobId()))
                .as("nothing stored for the second")
                .isEmpty();
        assertThat(jobs.jobIds(product, null, 10).items())
                .as("the token item is in no index")
                .containsExactly(first.jobId());
    }

    @Test
    void anExpiredTokenIsFreeAtOnce() {
        String name = MotoTables.id("tok");
        JobRecord first = record(MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, false, T0);
        jobs.create(first, token(name, "h1"));
        JobRecord later = record(
                MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, false, T0.plus(ClientToken.VALIDITY));

        assertThat(jobs.create(
                        later, new ClientToken(name, "h2", later.createdAt().plus(ClientToken.VALIDITY))))
                .isEmpty();
        assertThat(jobs.create(
                        record(MotoTables.id("job"), product, "2.0.0", JobStatus.PREPARING, false, later.createdAt()),
                        token(name, "h3")))
                .contains(new TokenHolder(later.jobId(), "h2"));
        Map<String, AttributeValue> item = dynamo.getItem(
                        r -> r.tableName(tables.jobs()).key(Map.of("jobId", AttributeValue.fromS("token#" + name))))
                .item();
        assertThat(item.get("expiresAt").n())
                .as("the TTL attribute, epoch seconds")
                .isEqualTo(String.valueOf(
                        later.createdAt().plus(ClientToken.VALIDITY).getEpochSecond()));
    }

    @Test
    void aDefinitionChangesOnlyIfItIsStillTheOneRead() {
        JobRecord job = job(product, JobStatus.IN_PROGRESS, false);
        JobDefinition read = job.definition();
        JobDefinition faster = new JobDefinition(
                read.productId(),
                read.targetVersion(),
                read.targetType(),
                read.sourceVersions(),
                read.deviceNames(),
                read.deviceListS3Key(),
                read.dynamic(),
                RolloutRate.constant(5),
                read.stages(),
                read.window(),
                Duration.ofMinutes(5),
                read.retryPolicy(),
                "faster");

        assertThat(jobs.update(job.jobId(), JobPatch.patch().ifDefinition(read).definition(faster)))
                .isTrue();
        assertThat(jobs.find(job.jobId()).orElseThrow().definition()).isEqualTo(faster);
        assertThat(jobs.update(job.jobId(), JobPatch.patch().ifDefinition(read).definition(read)))
                .as("read before the other update")
                .isFalse();
        assertThat(jobs.find(job.jobId()).orElseThrow().definition()).isEqualTo(faster);
    }

    @Test
    void aJobBeingDeletedGoesWithItsRowsAndCounters() {
        JobRecord job = job(product, JobStatus.IN_PROGRESS, false);
        List<DeviceId> queued = queue(job, "a", "b", "c");
        released(job, queued.get(0));
        assertThat(jobs.update(
                        job.jobId(),
                        JobPatch.patch().state(JobStatus.COMPLETED, "done").live(false)))
                .isTrue();

        assertThat(jobs.delete(job.jobId())).as("not in DELETION_IN_PROGRESS").isFalse();
        assertThat(jobs.update(
                        job.jobId(),
                        JobPatch.patch()
                                .state(JobStatus.DELETION_IN_PROGRESS, "deleting")
                                .live(true)))
                .isTrue();
        assertThat(jobs.liveJobIds()).as("live again, for the scheduler").contains(job.jobId());

        assertThat(rollout.deleteRows(job.jobId(), 2)).isEqualTo(2);
        assertThat(rollout.deleteRows(job.jobId(), 2)).isEqualTo(1);
        assertThat(rollout.deleteRows(job.jobId(), 2)).isZero();
        assertThat(jobs.delete(job.jobId())).isTrue();

        assertThat(jobs.find(job.jobId())).isEmpty();
        assertThat(jobs.counts(job.jobId()).get(ExecutionStatus.DELIVERED))
                .as("counter shards gone")
                .isZero();
        assertThat(jobs.liveJobIds()).doesNotContain(job.jobId());
        assertThat(jobs.delete(job.jobId())).isFalse();
    }

    @Test
    void aDevicesRowsAcrossJobsComeInTheOrderOfTheJobs() {
        JobRecord older = record(MotoTables.id("job"), product, "2.0.0", JobStatus.IN_PROGRESS, false, T0);
        JobRecord newer =
                record(MotoTables.id("job"), product, "3.0.0", JobStatus.IN_PROGRESS, false, T0.plusSeconds(60));
        JobRecord without =
                record(MotoTables.id("job"), product, "3.0.0", JobStatus.IN_PROGRESS, false, T0.plusSeconds(30));
        jobs.create(older);
        jobs.create(newer);
        jobs.create(without);
        queue(older, "dev");
        queue(newer, "dev");
        queue(without, "other");

        var ids = jobs.jobIds(product, null, 2);
        assertThat(ids.items()).containsExactly(newer.jobId(), without.jobId());
        assertThat(jobs.jobIds(product, ids.nextToken(), 2).items()).containsExactly(older.jobId());
        assertThat(rollout.deviceRows("dev", List.of(newer.jobId(), without.jobId(), older.jobId())))
                .extracting(r -> r.jobId() + "/" + r.targetVersion())
                .containsExactly(newer.jobId() + "/3.0.0", older.jobId() + "/2.0.0");
    }
}
