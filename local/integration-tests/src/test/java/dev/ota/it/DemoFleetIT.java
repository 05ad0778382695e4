package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.job.JobStatus;
import dev.ota.local.demo.Demo;
import dev.ota.local.demo.DemoOptions;
import dev.ota.local.demo.DemoSummary;
import dev.ota.local.demo.DemoSummary.DeviceOutcome;
import dev.ota.local.demo.FleetPlan;
import dev.ota.local.demo.FleetPlan.Fault;
import dev.ota.local.demo.JobRun;
import dev.ota.local.stack.LocalStack;
import dev.ota.port.in.JobOperations.JobStatistics;
import dev.ota.port.in.JobOperations.JobView;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The launcher's demo (one staged job of the job engine, driven by the scheduler), run as
 * {@code --devices 12 --seed 7 --exit-after-demo} would run it, on a
 * stack with the demo's short URL expiry. Everything asserted is read from the backend's tables
 * (the summary's device outcomes) except the network story, which only the devices see.
 */
class DemoFleetIT {

    private static final DemoOptions OPTIONS =
            DemoOptions.defaults().withDevices(12).withSeed(7).withProductId("DEMOIT");

    @Test
    void weakNetworkFleetUpdatesInStagesAndOnlyTheBrokenDeviceFails() throws Exception {
        LocalStack stack = SharedStack.get(Map.of("UrlExpirySeconds", "5"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        DemoSummary summary;
        try (PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            summary = new Demo(stack, OPTIONS, out, false).run();
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        System.err.println(printed);

        assertThat(summary.problems()).isEmpty();
        assertThat(summary.asExpected()).isTrue();
        assertThat(printed).contains("Outcome: AS EXPECTED");

        // One staged job of the job engine: the canary group, then the rest, advanced by the scheduler.
        JobRun job = summary.job();
        assertThat(job.state()).isEqualTo(JobStatus.COMPLETED);
        JobView described = stack.jobs().describe(job.jobId());
        assertThat(described.state()).isEqualTo(JobStatus.COMPLETED);
        assertThat(described.stageCount()).isEqualTo(2);
        assertThat(described.currentStage()).isEqualTo(1);
        assertThat(described.definition().targets().deviceNames()).hasSize(12);
        assertThat(summary.stages()).extracting(JobRun.StageRun::name).containsExactly("canary", "rest");
        JobRun.StageRun canary = summary.stages().get(0);
        JobRun.StageRun rest = summary.stages().get(1);
        assertThat(canary.size()).isEqualTo(1);
        assertThat(canary.counts()).containsExactly(Map.entry("SUCCEEDED", 1));
        assertThat(canary.passedReason()).contains("stage 1 of 2");
        assertThat(rest.size()).isEqualTo(11);
        assertThat(rest.counts()).containsOnly(Map.entry("SUCCEEDED", 10), Map.entry("FAILED", 1));
        // The rest was released only after the canary passed.
        assertThat(rest.startedAfterMs()).isGreaterThan(canary.startedAfterMs());
        JobStatistics stats = stack.jobs().statistics(job.jobId());
        assertThat(stats.targetCount()).isEqualTo(12);
        assertThat(stats.succeeded()).isEqualTo(11);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.queued()).isZero();
        assertThat(stats.inProgress()).isZero();
        assertThat(stats.retries()).isEqualTo(summary.retries());

        // Exactly one device failed: the broken one, with -4, after every attempt its policy allows.
        FleetPlan plan = FleetPlan.create(OPTIONS);
        List<DeviceOutcome> failed = summary.withStatus("FAILED");
        assertThat(failed)
                .extracting(d -> d.profile().name())
                .containsExactly(plan.broken().name());
        assertThat(failed.get(0).execution().resultCode()).isEqualTo(-4);
        assertThat(failed.get(0).execution().attempt()).isEqualTo(OPTIONS.maxAttempts());
        assertThat(failed.get(0).currentVersion()).isEqualTo(OPTIONS.fromVersion());
        assertThat(summary.withStatus("SUCCEEDED"))
                .hasSize(11)
                .allSatisfy(d -> assertThat(d.currentVersion()).isEqualTo(OPTIONS.toVersion()));

        // Downloads that dropped resumed from their checkpoint: bytes were saved.
        assertThat(summary.withFault(Fault.DROPS_MID_DOWNLOAD))
                .isNotEmpty()
                .allSatisfy(d -> assertThat(d.stats().resumes()).isPositive());
        assertThat(summary.resumes()).isPositive();
        assertThat(summary.bytesSavedByResume()).isPositive();

        // Devices offline when their stage started were updated after they connected.
        assertThat(summary.withFault(Fault.OFFLINE_AT_START)).isNotEmpty().allSatisfy(d -> {
            assertThat(d.stats().connectedLateAfterMs()).isPositive();
            assertThat(d.execution().status()).isEqualTo("SUCCEEDED");
        });

        // Expired URLs were refused (403) and cured by a new attempt with a fresh URL.
        assertThat(summary.withFault(Fault.URL_EXPIRES)).isNotEmpty().allSatisfy(d -> {
            assertThat(d.stats().http403()).isPositive();
            assertThat(d.execution().status()).isEqualTo("SUCCEEDED");
            assertThat(d.execution().attempt()).isGreaterThan(1);
        });

        assertThat(summary.messagesFromDevices()).isPositive();
        assertThat(summary.messagesToDevices()).isPositive();
        assertThat(summary.awsCalls()).containsKeys("DynamoDb.TransactWriteItems", "IotDataPlane.Publish");
        // The scheduler, not UpdateDevicesFunction, sent the updates.
        assertThat(summary.invocations())
                .doesNotContainKey("UpdateDevicesFunction")
                .containsKeys("JobSchedulerFunction", "JobWorkerFunction");
    }
}
