package dev.ota.cli.job;

import dev.ota.cli.Api;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import picocli.CommandLine.Parameters;

/** device-retry, device-cancel: {@code POST /jobs/{jobId}/devices/{deviceName}/ACTION}, then the device's execution. */
abstract class JobDeviceAction extends Subcommand {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Parameters(index = "1", paramLabel = "DEVICE_NAME")
    String device;

    /** The path's last segment. */
    abstract String action();

    @Override
    public Integer call() {
        return show(
                root().api().post(Api.path("=jobs", jobId, "=devices", device, "=" + action()), null), Text::execution);
    }
}
