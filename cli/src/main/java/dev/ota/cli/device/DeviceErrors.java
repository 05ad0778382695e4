package dev.ota.cli.device;

import dev.ota.cli.CliException;
import dev.ota.cli.ExitCodes;
import software.amazon.awssdk.services.iot.model.IotException;

final class DeviceErrors {
    private DeviceErrors() {}

    static CliException of(IotException e) {
        int status = e.statusCode();
        String message =
                "AWS IoT: " + (e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : e.getMessage());
        if (status == 401 || status == 403) {
            return new CliException(ExitCodes.CONFIG, message);
        }
        return new CliException(status >= 500 || status == 429 ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED, message);
    }
}
