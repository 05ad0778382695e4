package dev.ota.app;

import dev.ota.domain.Decision;
import dev.ota.domain.DeviceState;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.log.StructuredLog;
import dev.ota.port.DeviceChannel;
import dev.ota.port.DeviceStateStore;
import dev.ota.port.DeviceStateStore.VersionRecorded;
import dev.ota.protocol.DeviceReport.VersionReport;
import dev.ota.protocol.VersionReportResponse;

/**
 * A device said which version it runs. Record it, answer {@code report_version_rsp}, and if its
 * live update targets another version, send {@code update_firmware} again with a fresh URL: that
 * is how an interrupted download resumes from the device's checkpoint.
 */
public final class VersionReportService {

    private final DeviceStateStore store;
    private final DeviceChannel channel;
    private final UpdateSender updates;
    private final StructuredLog log;

    public VersionReportService(DeviceStateStore store, DeviceChannel channel, UpdateSender updates, StructuredLog log) {
        this.store = store;
        this.channel = channel;
        this.updates = updates;
        this.log = log;
    }

    /** Warms the request path for a SnapStart snapshot: one read, one URL minted, nothing sent. */
    public void prime() {
        store.find(Priming.DEVICE);
        updates.message(Priming.FIRMWARE);
        ExecutionStateMachine.onVersionReport(new DeviceState(Priming.DEVICE, null, null, null),
                new VersionReport(Priming.DEVICE, java.time.Instant.EPOCH, "0.0.0"));
    }

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
                log.info("version_report", "device", report.device().key(), "version", report.version(), "action", "none", "reason", ignore.reason());
                return Outcome.IGNORED;
            }
            if (decision instanceof Decision.Resend resend) {
                updates.send(report.device(), resend.execution().firmware());
                log.info("version_report", "device", report.device().key(), "version", report.version(), "action", "resend",
                        "jobId", resend.execution().jobId(), "attempt", resend.execution().attempt());
                return Outcome.APPLIED;
            }
            Decision.Transition t = (Decision.Transition) decision;
            if (store.transition(report.device(), t.before(), t.after())) {
                if (t.sendUpdate()) {
                    updates.send(report.device(), t.after().firmware());
                }
                log.info("version_report", "device", report.device().key(), "version", report.version(), "action", "transition",
                        "jobId", t.after().jobId(), "from", t.before().status(), "to", t.after().status(), "attempt", t.after().attempt());
                return Outcome.APPLIED;
            }
            state = store.find(report.device()).orElseThrow();
        }
        throw new ConcurrentUpdateException(report.device());
    }
}
