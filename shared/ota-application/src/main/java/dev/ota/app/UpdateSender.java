package dev.ota.app;

import dev.ota.domain.Execution;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.device.DeviceId;
import dev.ota.port.out.DeviceChannel;
import dev.ota.port.out.DownloadUrlMinter;
import dev.ota.port.out.RolloutMetrics;
import dev.ota.port.out.RolloutMetrics.UpdateKind;
import dev.ota.protocol.UpdateFirmwareMessage;

/** Sends update_firmware with a URL minted now: every (re)send gets a URL that has not expired. */
public final class UpdateSender {

    private final DownloadUrlMinter urls;
    private final DeviceChannel channel;
    private final RolloutMetrics metrics;

    public UpdateSender(DownloadUrlMinter urls, DeviceChannel channel) {
        this(urls, channel, RolloutMetrics.NONE);
    }

    public UpdateSender(DownloadUrlMinter urls, DeviceChannel channel, RolloutMetrics metrics) {
        this.urls = urls;
        this.channel = channel;
        this.metrics = metrics;
    }

    /** Sends the update of an attempt that starts now: its first, or a retry. */
    public void send(DeviceId device, Execution attempt) {
        channel.send(device, message(attempt.firmware()));
        metrics.updateSent(attempt.attempt() <= 1 ? UpdateKind.FIRST : UpdateKind.RETRY);
    }

    /** Sends the update of an attempt in flight again (the device reported its old version). */
    public void resend(DeviceId device, Execution inFlight) {
        channel.send(device, message(inFlight.firmware()));
        metrics.updateSent(UpdateKind.RESEND);
    }

    public UpdateFirmwareMessage message(FirmwareRef firmware) {
        return new UpdateFirmwareMessage(
                firmware.fileSize(), firmware.md5sum(), urls.mint(firmware), firmware.version());
    }
}
