package dev.ota.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.Api;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = "A device's reported version, when it was last seen, and its live update.")
final class DeviceStatus extends Subcommand {
    @Parameters(index = "0", paramLabel = "PRODUCT_ID")
    String product;

    @Parameters(index = "1", paramLabel = "DEVICE_NAME")
    String device;

    @Override
    public Integer call() {
        return show(root().api().get(Api.path("=devices", product, device), Map.of()), (out, d) -> {
            Text.keyValues(
                    out,
                    "product",
                    Text.s(d, "productId"),
                    "device",
                    Text.s(d, "deviceName"),
                    "version",
                    Text.s(d, "currentVersion"),
                    "last seen",
                    Text.s(d, "lastSeenAt"));
            JsonNode live = d.path("liveExecution");
            if (live.isObject()) {
                out.println("live update:");
                Text.execution(out, live);
            } else {
                out.println("live update: none");
            }
        });
    }
}
