package dev.ota.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.job.JobEvent;
import dev.ota.domain.job.JobEvent.Kind;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A job's timeline on the Jobs table (moto): written with its change or not at all, and bounded. */
class JobTimelineStoreTest extends StoreFixture {

    private static final String ALICE = "arn:aws:iam::123456789012:user/alice";

    @Test
    void aCreatedJobReadsBackWithItsCreationEvent() {
        JobRecord created = JobRecord.created(
                MotoTables.id("job"), definition(MotoTables.id("P"), "2.0.0", false), firmware("2.0.0"), T0, ALICE);
        jobs.create(created);

        List<JobEvent> events = jobs.find(created.jobId()).orElseThrow().events();

        assertThat(events).extracting(JobEvent::kind, JobEvent::actor).containsExactly(tuple(Kind.CREATED, ALICE));
        assertThat(events.get(0).at()).isEqualTo(T0);
    }

    @Test
    void anEventIsStoredByTheWriteOfItsChangeAndOnlyIfThatWriteApplies() {
        JobRecord job = job();
        JobRecord read = jobs.find(job.jobId()).orElseThrow();

        boolean lost = jobs.update(
                job.jobId(),
                JobPatch.patch()
                        .ifStateIn(JobStatus.PAUSED)
                        .state(JobStatus.IN_PROGRESS, "resumed")
                        .event(JobEvent.of(Kind.RESUMED, T0, ALICE, null), read));
        boolean paused = jobs.update(
                job.jobId(),
                JobPatch.patch()
                        .ifStateIn(JobStatus.IN_PROGRESS)
                        .state(JobStatus.PAUSED, "paused by an operator")
                        .pausedBy(ALICE)
                        .event(JobEvent.of(Kind.PAUSED, T0.plusSeconds(1), ALICE, "by an operator"), read));
        JobRecord after = jobs.find(job.jobId()).orElseThrow();
        boolean resumed = jobs.update(
                job.jobId(),
                JobPatch.patch()
                        .ifStateIn(JobStatus.PAUSED)
                        .state(JobStatus.IN_PROGRESS, "resumed")
                        .event(JobEvent.of(Kind.RESUMED, T0.plusSeconds(2), ALICE, null), after));

        assertThat(lost).isFalse();
        assertThat(paused).isTrue();
        assertThat(resumed).isTrue();
        assertThat(jobs.find(job.jobId()).orElseThrow().events())
                .as("the refused resume left no event")
                .extracting(JobEvent::kind, JobEvent::at)
                .containsExactly(tuple(Kind.PAUSED, T0.plusSeconds(1)), tuple(Kind.RESUMED, T0.plusSeconds(2)));
    }

    @Test
    void theJobKeepsItsLastHundredEventsOldestFirst() {
        JobRecord job = job();
        for (int i = 0; i < JobEvent.MAX_EVENTS + 5; i++) {
            JobRecord read = jobs.find(job.jobId()).orElseThrow();
            assertThat(jobs.update(
                            job.jobId(),
                            JobPatch.patch()
                                    .ifStateIn(JobStatus.IN_PROGRESS)
                                    .event(
                                            JobEvent.of(Kind.STAGE_RELEASED, T0.plusSeconds(i), null, "stage " + i),
                                            read)))
                    .isTrue();
        }

        List<JobEvent> events = jobs.find(job.jobId()).orElseThrow().events();

        assertThat(events).hasSize(JobEvent.MAX_EVENTS);
        assertThat(events.get(0).detail()).isEqualTo("stage 5");
        assertThat(events.get(JobEvent.MAX_EVENTS - 1).detail()).isEqualTo("stage " + (JobEvent.MAX_EVENTS + 4));
    }

    @Test
    void aJobItemWithoutATimelineStartsOneWithItsFirstEvent() {
        JobRecord job = job();
        dynamo.updateItem(r -> r.tableName(tables.jobs())
                .key(Map.of("jobId", AttributeValue.fromS(job.jobId())))
                .updateExpression("REMOVE events"));
        JobRecord read = jobs.find(job.jobId()).orElseThrow();
        assertThat(read.events()).isEmpty();

        assertThat(jobs.update(
                        job.jobId(),
                        JobPatch.patch()
                                .ifStateIn(JobStatus.IN_PROGRESS)
                                .state(JobStatus.CANCELED, "canceled by an operator")
                                .event(JobEvent.of(Kind.CANCELED, T0, ALICE, null), read)))
                .isTrue();

        assertThat(jobs.find(job.jobId()).orElseThrow().events())
                .extracting(JobEvent::kind)
                .containsExactly(Kind.CANCELED);
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
