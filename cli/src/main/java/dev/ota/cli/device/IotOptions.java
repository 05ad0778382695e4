package dev.ota.cli.device;

import dev.ota.cli.CliException;
import dev.ota.cli.ExitCodes;
import dev.ota.cli.OtaCli;
import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import picocli.CommandLine.Option;

/** The options both {@code register} and {@code deregister} take. */
final class IotOptions {

    @Option(names = "--product", required = true, paramLabel = "PRODUCT_ID", description = "The device's productId.")
    String product;

    @Option(names = "--device", required = true, paramLabel = "DEVICE_NAME", description = "The device's deviceName.")
    String device;

    @Option(
            names = "--iot-endpoint",
            paramLabel = "URL",
            description =
                    "The AWS IoT control plane's URL, for a stand-in such as the local stack's moto_server (default: $OTA_IOT_ENDPOINT, else AWS's own).")
    String iotEndpoint;

    DeviceId deviceId() {
        try {
            return new DeviceId(product, device);
        } catch (InvalidMessageException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    String endpoint(OtaCli root) {
        return iotEndpoint != null ? iotEndpoint : root.environment().variable("OTA_IOT_ENDPOINT");
    }
}
