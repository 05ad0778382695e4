package dev.ota.app;

import dev.ota.domain.Decision;
import dev.ota.domain.DeviceState;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceChannel;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.DeviceStateStore.VersionRecorded;
import dev.ota.port.out.JobAdmission;
import dev.ota.port.out.LateTargets;
import dev.ota.protocol.VersionReportResponse;
import java.time.Instant;

/**
 * A device said which version it runs. Record it, answer {@code report_version_rsp}, and if its
 * live update targets another version, send {@code update_firmware} again with a fresh URL: that
 * is how an interrupted download resumes from the device's checkpoint.
 *
 * <p>Every send is admitted by the job first (a canceled job sends nothing more), and a device
 * left without a live update is offered to the product's dynamic jobs.
 */
public final class VersionReportService implements ReportService<VersionReport> {

    private final DeviceStateStore store;
    private final DeviceChannel channel;
    private final UpdateSender updates;
    private final StructuredLog log;
    private final JobAdmission admission;
    private final LateTargets lateTargets;

    public VersionReportService(
            DeviceStateStore store, DeviceChannel channel, UpdateSender updates, StructuredLog log) {
        this(store, channel, updates, log, JobAdmission.ALWAYS, LateTargets.NONE);
    }

    public VersionReportService(
            DeviceStateStore store,
            DeviceChannel channel,
            UpdateSender updates,
            StructuredLog log,
            JobAdmission admission,
            LateTargets lateTargets) {
        this.store = store;
        this.channel = channel;
        this.updates = updates;
        this.log = log;
        this.admission = admission;
        this.lateTargets = lateTargets;
    }

    /** Warms the request path for a SnapStart snapshot: one read, one URL minted, nothing sent. */
    @Override
    public void prime() {
        store.find(Priming.DEVICE);
        updates.message(Priming.FIRMWARE);
        ExecutionStateMachine.onVersionReport(
                new DeviceState(Priming.DEVICE, null, null, null),
                new VersionReport(Priming.DEVICE, Instant.EPOCH, "0.0.0"));
    }

    @Override
    public Outcome handle(VersionReport report) {
        VersionRecorded recorded = store.recordVersion(report.device(), report.version(), report.receivedAt());
        // The Python SDK waits for this answer before it acts on an update: send it first.
        channel.send(report.device(), VersionReportResponse.success(report.version()));
        if (recorded.stale()) {
            log.info("version_report_stale", "device", report.device().key(), "version", report.version());
            return Outcome.IGNORED;
        }
        DeviceState state = recorded.state();
        for (int attempt = 0; attempt < Outcome.MAX_RACES; attempt++) {
            Decision decision = ExecutionStateMachine.onVersionReport(state, report);
            if (decision instanceof Decision.Ignore ignore) {
                log.info(
                        "version_report",
                        "device",
                        report.device().key(),
                        "version",
                        report.version(),
                        "action",
                        "none",
                        "reason",
                        ignore.reason());
                if (state.liveExecution().isEmpty()) {
                    lateTargets.deviceIsFree(state, report.version(), report.receivedAt());
                }
                return Outcome.IGNORED;
            }
            if (decision instanceof Decision.Resend resend) {
                String jobId = resend.execution().jobId();
                if (!admission.mayResend(jobId)) {
                    log.info(
                            "version_report",
                            "device",
                            report.device().key(),
                            "version",
                            report.version(),
                            "action",
                            "none",
                            "reason",
                            "job " + jobId + " sends no more updates",
                            "jobId",
                            jobId);
                    return Outcome.IGNORED;
                }
                updates.send(report.device(), resend.execution());
                log.info(
                        "version_report",
                        "device",
                        report.device().key(),
                        "version",
                        report.version(),
                        "action",
                        "resend",
                        "jobId",
                        jobId,
                        "attempt",
                        resend.execution().attempt());
                return Outcome.APPLIED;
            }
            Decision.Transition t = (Decision.Transition) decision;
            if (t.sendUpdate() && !admission.mayStartAttempt(t.after().jobId())) {
                log.info(
                        "version_report",
                        "device",
                        report.device().key(),
                        "version",
                        report.version(),
                        "action",
                        "none",
                        "reason",
                        "job " + t.after().jobId() + " starts no attempts now",
                        "jobId",
                        t.after().jobId());
                return Outcome.IGNORED;
            }
            if (store.transition(report.device(), t.before(), t.after())) {
                if (t.sendUpdate()) {
                    updates.send(report.device(), t.after());
                }
                log.info(
                        "version_report",
                        "device",
                        report.device().key(),
                        "version",
                        report.version(),
                        "action",
                        "transition",
                        "jobId",
                        t.after().jobId(),
                        "from",
                        t.before().status(),
                        "to",
                        t.after().status(),
                        "attempt",
                        t.after().attempt());
                if (t.after().status().terminal()) {
                    lateTargets.deviceIsFree(
                            new DeviceState(
                                    state.device(),
                                    report.version(),
                                    report.receivedAt(),
                                    t.after(),
                                    state.waitingJobs()),
                            report.version(),
                            report.receivedAt());
                }
                return Outcome.APPLIED;
            }
            state = store.find(report.device()).orElseThrow();
        }
        throw new ConcurrentUpdateException(report.device());
    }
}
