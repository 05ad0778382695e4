package dev.ota.app;

import dev.ota.domain.FirmwareRef;
import dev.ota.domain.device.DeviceId;
import dev.ota.port.out.DeviceChannel;
import dev.ota.port.out.DownloadUrlMinter;
import dev.ota.protocol.UpdateFirmwareMessage;

/** Sends update_firmware with a URL minted now: every (re)send gets a URL that has not expired. */
public final class UpdateSender {

    private final DownloadUrlMinter urls;
    private final DeviceChannel channel;

    public UpdateSender(DownloadUrlMinter urls, DeviceChannel channel) {
        this.urls = urls;
        this.channel = channel;
    }

    public void send(DeviceId device, FirmwareRef firmware) {
        channel.send(device, message(firmware));
    }

    public UpdateFirmwareMessage message(FirmwareRef firmware) {
        return new UpdateFirmwareMessage(
                firmware.fileSize(), firmware.md5sum(), urls.mint(firmware), firmware.version());
    }
}
