package dev.ota.app;

import dev.ota.domain.Decision;
import dev.ota.domain.DeviceState;
import dev.ota.domain.ExecutionStateMachine;
import dev.ota.domain.device.DeviceReport.ProgressReport;
import dev.ota.domain.device.ProgressState;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import java.util.Optional;

/**
 * Applies downloading / burning / done / fail to the device's live execution. A downloading report
 * first tries the one-write fast path; everything else reads, decides, and writes conditionally.
 */
public final class ProgressReportService implements ReportService<ProgressReport> {

    private final DeviceStateStore store;
    private final StructuredLog log;

    public ProgressReportService(DeviceStateStore store, StructuredLog log) {
        this.store = store;
        this.log = log;
    }

    /** Warms the request path for a SnapStart snapshot: one read of a device no one has, nothing written. */
    @Override
    public void prime() {
        store.find(Priming.DEVICE);
    }

    /** Downloading percent lines are DEBUG: one per report, so their volume grows with the fleet. */
    @Override
    public Outcome handle(ProgressReport report) {
        Optional<DeviceState> found;
        // The fast path only for a percent that can advance: at 0 its condition (stored percent below
        // the reported one) never holds, and a failed conditional write costs a write unit where the
        // read costs a fifth of that (the first report of every attempt is downloading 0).
        if (report.state() == ProgressState.DOWNLOADING && report.percent() != null && report.percent() > 0) {
            found = store.advancePercent(report.device(), report.version(), report.percent(), report.receivedAt());
            if (found.isEmpty()) {
                log.debug(
                        "progress_report",
                        "device",
                        report.device().key(),
                        "state",
                        "downloading",
                        "percent",
                        report.percent(),
                        "action",
                        "advance");
                return Outcome.APPLIED;
            }
        } else {
            found = store.find(report.device());
        }
        if (found.isEmpty()) {
            return ignored(report, "unknown device");
        }
        DeviceState state = found.get();
        for (int race = 0; race < Outcome.MAX_RACES; race++) {
            Decision decision = ExecutionStateMachine.onProgress(state, report);
            if (decision instanceof Decision.Ignore ignore) {
                return ignored(report, ignore.reason());
            }
            if (decision instanceof Decision.AdvancePercent advance) {
                Optional<DeviceState> again =
                        store.advancePercent(report.device(), report.version(), advance.percent(), report.receivedAt());
                if (again.isEmpty()) {
                    log.debug(
                            "progress_report",
                            "device",
                            report.device().key(),
                            "state",
                            "downloading",
                            "percent",
                            advance.percent(),
                            "action",
                            "advance");
                    return Outcome.APPLIED;
                }
                state = again.get();
                continue;
            }
            Decision.Transition t = (Decision.Transition) decision;
            if (store.transition(report.device(), t.before(), t.after())) {
                log.info(
                        "progress_report",
                        "device",
                        report.device().key(),
                        "state",
                        report.state().wire(),
                        "action",
                        "transition",
                        "jobId",
                        t.after().jobId(),
                        "from",
                        t.before().status(),
                        "to",
                        t.after().status(),
                        "attempt",
                        t.after().attempt(),
                        "resultCode",
                        report.resultCode(),
                        "resultMsg",
                        report.resultMsg());
                return Outcome.of(t.before(), t.after());
            }
            state = store.find(report.device()).orElseThrow();
        }
        throw new ConcurrentUpdateException(report.device());
    }

    private Outcome ignored(ProgressReport report, String reason) {
        log.info(
                "progress_report",
                "device",
                report.device().key(),
                "state",
                report.state().wire(),
                "version",
                report.version(),
                "action",
                "none",
                "reason",
                reason);
        return Outcome.IGNORED;
    }
}
