package dev.ota.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.DeviceProfile;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceChannel;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.DownloadUrlMinter;
import dev.ota.port.out.RolloutMetrics;
import dev.ota.port.out.RolloutMetrics.UpdateKind;
import dev.ota.protocol.ProtocolJson;
import dev.ota.protocol.UpdateFirmwareMessage;
import java.time.Clock;
import java.util.Optional;

/**
 * Sends update_firmware with a URL minted now: every (re)send gets a URL that has not expired.
 * The URL budget is enforced here, where URLs are minted: an update whose URL or message does not
 * fit the fleet's {@link DeviceProfile} is never sent; its execution fails with the reason
 * (logged, and in the job's statistics and device list).
 */
public final class UpdateSender {

    /** The result message of an execution whose update could not be sent. */
    public static final String NOT_SENT = "update_firmware not sent: ";

    private final DownloadUrlMinter urls;
    private final DeviceChannel channel;
    private final DeviceProfile profile;
    private final DeviceStateStore store;
    private final Clock clock;
    private final StructuredLog log;
    private final RolloutMetrics metrics;
    private final ObjectMapper json = ProtocolJson.newMapper();

    /** For devices with a full HTTP stack, and no store to fail executions in (tests). */
    public UpdateSender(DownloadUrlMinter urls, DeviceChannel channel) {
        this(urls, channel, DeviceProfile.CAPABLE, null, Clock.systemUTC(), null, RolloutMetrics.NONE);
    }

    /** Without metrics (tools, tests). */
    public UpdateSender(
            DownloadUrlMinter urls,
            DeviceChannel channel,
            DeviceProfile profile,
            DeviceStateStore store,
            Clock clock,
            StructuredLog log) {
        this(urls, channel, profile, store, clock, log, RolloutMetrics.NONE);
    }

    public UpdateSender(
            DownloadUrlMinter urls,
            DeviceChannel channel,
            DeviceProfile profile,
            DeviceStateStore store,
            Clock clock,
            StructuredLog log,
            RolloutMetrics metrics) {
        this.urls = urls;
        this.channel = channel;
        this.profile = profile;
        this.store = store;
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
    }

    public DeviceProfile profile() {
        return profile;
    }

    /**
     * Sends the update of an attempt that starts now (its first, or a retry): {@code sent} is the
     * execution as just written. Over budget, nothing is sent and the execution is failed with the
     * reason.
     *
     * @return whether the update went out
     */
    public boolean send(DeviceId device, Execution sent) {
        return deliver(device, sent, sent.attempt() <= 1 ? UpdateKind.FIRST : UpdateKind.RETRY);
    }

    /** Sends the update of an attempt in flight again (the device asked, or went quiet). */
    public boolean resend(DeviceId device, Execution inFlight) {
        return deliver(device, inFlight, UpdateKind.RESEND);
    }

    private boolean deliver(DeviceId device, Execution sent, UpdateKind kind) {
        UpdateFirmwareMessage message = message(sent.firmware());
        Optional<String> violation = violation(message);
        if (violation.isEmpty()) {
            channel.send(device, message);
            metrics.updateSent(kind);
            return true;
        }
        String reason = NOT_SENT + violation.get();
        if (log != null) {
            log.error("update_over_budget", "device", device.key(), "jobId", sent.jobId(), "reason", reason);
        }
        if (store == null) {
            throw new IllegalStateException(reason);
        }
        // Conditional on the execution as written; a report that moved it since decides instead.
        store.transition(device, sent, sent.failed(ExecutionStatus.FAILED, 0, reason, clock.instant(), null));
        return false;
    }

    public UpdateFirmwareMessage message(FirmwareRef firmware) {
        return new UpdateFirmwareMessage(
                firmware.fileSize(), firmware.md5sum(), urls.mint(firmware), firmware.version());
    }

    /**
     * Why an update of {@code firmware} cannot reach the fleet's devices, or empty when it fits: a
     * job that cannot fit is refused when it is created.
     */
    public Optional<String> violation(FirmwareRef firmware) {
        return violation(message(firmware));
    }

    private Optional<String> violation(UpdateFirmwareMessage message) {
        Optional<String> url = profile.urlViolation(message.url());
        return url.isPresent() ? url : profile.messageViolation(ProtocolJson.toBytes(json, message).length);
    }
}
