package dev.ota.app;

import dev.ota.domain.Decision;
import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.device.DeviceReport.VersionReport;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceChannel;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.DeviceStateStore.VersionRecorded;
import dev.ota.port.out.JobAdmission;
import dev.ota.port.out.LateTargets;
import dev.ota.protocol.VersionReportResponse;
import java.time.Duration;
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

    /** How often one device gets update_firmware for one attempt at most, unless said otherwise. */
    public static final Duration DEFAULT_RESEND_COOLDOWN = Duration.ofSeconds(5);

    private final Duration resendCooldown;

    public VersionReportService(
            DeviceStateStore store, DeviceChannel channel, UpdateSender updates, StructuredLog log) {
        this(store, channel, updates, log, JobAdmission.ALWAYS, LateTargets.NONE, DEFAULT_RESEND_COOLDOWN);
    }

    public VersionReportService(
            DeviceStateStore store,
            DeviceChannel channel,
            UpdateSender updates,
            StructuredLog log,
            JobAdmission admission,
            LateTargets lateTargets) {
        this(store, channel, updates, log, admission, lateTargets, DEFAULT_RESEND_COOLDOWN);
    }

    /**
     * @param resendCooldown a device gets update_firmware for the same attempt at most once per this
     *     span of receive time; version reports inside it get report_version_rsp only
     */
    public VersionReportService(
            DeviceStateStore store,
            DeviceChannel channel,
            UpdateSender updates,
            StructuredLog log,
            JobAdmission admission,
            LateTargets lateTargets,
            Duration resendCooldown) {
        this.store = store;
        this.channel = channel;
        this.updates = updates;
        this.log = log;
        this.admission = admission;
        this.lateTargets = lateTargets;
        this.resendCooldown = resendCooldown;
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
        // The Python SDK waits for this answer before it acts on an update: send it first. At QoS 0:
        // a device that misses it reports again.
        channel.answer(report.device(), VersionReportResponse.success(report.version()));
        if (recorded.stale()) {
            // An older report: it does not name the current version, but it still counts for the update.
            log.info("version_report_stale", "device", report.device().key(), "version", report.version());
        }
        DeviceState state = recorded.state();
        Decision.Resend unkept = null;
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
                if (resend.after() != null && !store.transition(report.device(), resend.execution(), resend.after())) {
                    unkept = resend;
                    state = store.find(report.device()).orElseThrow();
                    continue;
                }
                Execution exec = resend.after() != null ? resend.after() : resend.execution();
                boolean sent = sendOnce(report, exec, false);
                log.info(
                        "version_report",
                        "device",
                        report.device().key(),
                        "version",
                        report.version(),
                        "action",
                        sent ? "resend" : "none",
                        "reason",
                        sent ? "" : "resent within " + resendCooldown,
                        "jobId",
                        jobId,
                        "attempt",
                        exec.attempt());
                return sent ? Outcome.APPLIED : Outcome.IGNORED;
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
                    sendOnce(report, t.after(), true);
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
                return Outcome.of(t.before(), t.after());
            }
            state = store.find(report.device()).orElseThrow();
        }
        if (unkept != null) {
            // A flood of version reports while the update is in flight: each only adds itself to the
            // history, and they keep beating one another to the item. Answer and (cooldown allowing)
            // resend without keeping this one, rather than fail it into the dead-letter queue.
            boolean sent = sendOnce(report, unkept.execution(), false);
            log.info(
                    "version_report",
                    "device",
                    report.device().key(),
                    "version",
                    report.version(),
                    "action",
                    sent ? "resend" : "none",
                    "reason",
                    "not kept: the device item kept changing",
                    "jobId",
                    unkept.execution().jobId());
            return sent ? Outcome.APPLIED : Outcome.IGNORED;
        }
        throw new ConcurrentUpdateException(report.device());
    }

    /**
     * Sends update_firmware for the execution's delivery unless it went out within the cooldown
     * (the execution's sentAt, which quiet resends move too: one send record per delivery). The
     * claim is stored before the publish and a retry of the same report may claim again, so a run
     * that stored its decision but died before publishing still gets it published by Lambda's retry.
     */
    private boolean sendOnce(VersionReport report, Execution exec, boolean startsDelivery) {
        if (!store.claimUpdate(report.device(), exec, report.receivedAt(), resendCooldown)) {
            return false;
        }
        if (startsDelivery) {
            updates.send(report.device(), exec);
        } else {
            updates.resend(report.device(), exec);
        }
        return true;
    }
}
