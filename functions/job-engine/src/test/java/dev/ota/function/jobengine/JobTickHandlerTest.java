package dev.ota.function.jobengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.domain.job.WorkMessage;
import dev.ota.testing.SampleEvents;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;

/**
 * JobTickHandler on events/job-tick-schedule.json (EventBridge's scheduled event), with the job
 * engine on {@link StubScheduler}'s stand-ins: one PLAN per live job, in one batch.
 */
class JobTickHandlerTest {

    private final StubScheduler scheduler = new StubScheduler("job-tick");
    private final JobTickHandler handler = new JobTickHandler(scheduler.wiring);

    @Test
    void theScheduleSampleQueuesOnePlanForEveryLiveJob() throws Exception {
        scheduler.dynamo.liveJobIds.addAll(List.of("job-a", "job-b"));

        JsonNode response = StubScheduler.invoke(handler, SampleEvents.bytes("job-tick-schedule.json"));

        assertThat(response.toString())
                .isEqualTo("{\"outcome\":\"PLANNED\",\"liveJobs\":2,\"staleUploadsRejected\":0}");
        assertThat(scheduler.queue.batches)
                .containsExactly(List.of(WorkMessage.plan("job-a"), WorkMessage.plan("job-b")));
        assertThat(scheduler.dynamo.calls)
                .containsExactly("Query " + StubScheduler.JOBS_TABLE + "/byLive", "Query Firmware/byUploading");
    }

    @Test
    void withNoLiveJobsTheTickQueuesNothing() throws Exception {
        JsonNode response = StubScheduler.invoke(handler, SampleEvents.bytes("job-tick-schedule.json"));

        assertThat(response.path("outcome").asText()).isEqualTo("PLANNED");
        assertThat(response.path("liveJobs").asInt()).isZero();
        assertThat(scheduler.queue.batches).isEmpty();
    }

    @Test
    void aFailedReadOfTheLiveJobsFailsTheInvocationAndQueuesNothing() {
        // Thrown, not answered: the next tick (a minute later) plans again; nothing is half done.
        scheduler.dynamo.failQueries = true;

        assertThatThrownBy(() -> StubScheduler.invoke(handler, SampleEvents.bytes("job-tick-schedule.json")))
                .isInstanceOf(ProvisionedThroughputExceededException.class);
        assertThat(scheduler.queue.batches).isEmpty();
    }
}
