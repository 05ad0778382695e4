package dev.ota.app.jobs;

import static dev.ota.app.jobs.EngineFixture.FROM;
import static dev.ota.app.jobs.EngineFixture.T0;
import static dev.ota.app.jobs.EngineFixture.TARGET;
import static dev.ota.app.jobs.EngineFixture.id;
import static dev.ota.app.jobs.EngineFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.app.VersionReportService;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceReport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Dynamic jobs take devices that qualify after creation, decided on the version-report path from a per-container cache. */
class DynamicEnrollmentTest {

    private final EngineFixture f = new EngineFixture();
    private final DynamicEnrollment enrollment =
            new DynamicEnrollment(f.jobs, f.rollout, f.clock, Duration.ofSeconds(30), f.log.log());
    private final VersionReportService versions = new VersionReportService(
            f.devices, f.channel, f.sender, f.log.log(), new RepositoryJobAdmission(f.jobs), enrollment);

    /** The device reports {@code version} now. */
    private void reports(String name, String version) {
        versions.handle(DeviceReport.version(id(name), version, f.clock.instant()));
    }

    @Test
    void aFreeDeviceReportingASourceVersionJoinsTheJobBehindItsInitialTargets() {
        f.fleet(2, FROM);
        String job = f.create(request().onVersions(FROM).dynamic());
        f.clock.advance(Duration.ofSeconds(5));

        reports("late", FROM);

        assertThat(f.row(job, "late").status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(f.row(job, "late").fromVersion()).isEqualTo(FROM);
        assertThat(f.rollout.seq(job, "late"))
                .isEqualTo(DynamicEnrollment.LATE_SEQ_BASE + T0.plusSeconds(5).toEpochMilli());
        assertThat(f.job(job).targetCount()).isEqualTo(3);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(3);
        f.planAndRun(job);
        assertThat(f.updated()).containsExactly("d01", "d02", "late");
    }

    @Test
    void aDeviceOnAnotherVersionOrOnTheTargetIsNotTaken() {
        String job = f.create(request().onVersions(FROM).dynamic());

        reports("older", "0.9.0");
        reports("current", TARGET);

        assertThat(f.rollout.rowsOf(job)).isEmpty();
        assertThat(f.job(job).targetCount()).isZero();
    }

    @Test
    void aProductJobTakesAnyVersionButTheTarget() {
        String job = f.create(request().product().dynamic());

        reports("old", "0.1.0");
        reports("current", TARGET);

        assertThat(f.rollout.rowsOf(job)).extracting(r -> r.deviceName()).containsExactly("old");
    }

    @Test
    void onlyDynamicJobsTakeLateDevicesAndAListJobTakesNoneByVersion() {
        f.device("d01", FROM);
        String fixed = f.create(request().onVersions(FROM));
        String list = f.create(request().devices("d01").dynamic());

        reports("late", FROM);

        assertThat(f.rollout.row(fixed, "late")).isEmpty();
        assertThat(f.rollout.row(list, "late")).isEmpty();
    }

    @Test
    void aDeviceWhoseLastExecutionWasTheJobsIsNotTakenAgain() {
        f.fleet(1, FROM);
        String job = f.create(request().onVersions(FROM).dynamic());
        f.planAndRun(job);
        f.fail(-2, "d01");

        reports("d01", FROM);

        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isZero();
        f.planAndRun(job);
        assertThat(f.updated()).containsExactly("d01");
    }

    @Test
    void aDeviceWithALiveUpdateIsNotTaken() {
        String job = f.create(request().product().dynamic());
        Execution live = new Execution(
                "other-job",
                f.firmwareRef(),
                FROM,
                ExecutionStatus.DOWNLOADING,
                1,
                40,
                T0,
                T0,
                0,
                "",
                RetryPolicy.DEFAULT,
                null);

        enrollment.deviceIsFree(new DeviceState(id("busy"), FROM, T0, live), FROM, T0);

        assertThat(f.rollout.row(job, "busy")).isEmpty();
    }

    @Test
    void aDeviceSkippedWhileAnotherJobHeldItIsTakenOnceItIsFree() {
        f.fleet(1, FROM);
        f.holderOf("d01");
        String job = f.create(request().devices("d01").dynamic());
        f.planAndRun(job);
        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.SKIPPED);
        assertThat(f.state("d01").waitingJobs()).containsExactly(job);

        f.fail(-2, "d01");
        reports("d01", FROM);

        assertThat(f.row(job, "d01").status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(f.state("d01").waitingJobs()).isEmpty();
        assertThat(f.counts(job).get(ExecutionStatus.SKIPPED)).isZero();
        assertThat(f.counts(job).get(ExecutionStatus.QUEUED)).isEqualTo(1);
        assertThat(f.job(job).targetCount()).as("the same target, queued again").isEqualTo(1);
        f.planAndRun(job);
        assertThat(f.execution("d01").jobId()).isEqualTo(job);
    }

    @Test
    void aProductsDynamicJobsAreReadOncePerCacheLifetime() {
        String first = f.create(request().onVersions(FROM).dynamic());
        reports("x", "0.5.0");
        assertThat(f.jobs.liveDynamicJobsQueries()).isEqualTo(1);

        f.clock.advance(Duration.ofSeconds(10));
        String second = f.create(request().product().dynamic());
        f.clock.advance(Duration.ofSeconds(20));
        reports("y", "0.5.0");
        assertThat(f.jobs.liveDynamicJobsQueries()).as("30 s: still cached").isEqualTo(1);
        assertThat(f.rollout.row(second, "y"))
                .as("a job newer than the cache is not seen yet")
                .isEmpty();

        f.clock.advance(Duration.ofMillis(1));
        reports("y", "0.5.0");
        assertThat(f.jobs.liveDynamicJobsQueries()).isEqualTo(2);
        assertThat(f.row(second, "y").status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(f.rollout.row(first, "y")).isEmpty();
    }

    @Test
    void aJobCanceledWhileStillInTheCacheTakesNoMoreDevices() {
        String job = f.create(request().onVersions(FROM).dynamic());
        reports("early", FROM);
        f.service.cancel(job);

        reports("late", FROM);

        assertThat(f.jobs.liveDynamicJobsQueries()).as("served from the cache").isEqualTo(1);
        assertThat(f.rollout.row(job, "late")).isEmpty();
        assertThat(f.job(job).targetCount()).isEqualTo(1);
    }
}
