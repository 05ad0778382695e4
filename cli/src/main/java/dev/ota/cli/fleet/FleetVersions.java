package dev.ota.cli.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.Api;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "versions",
        description = "A product's devices per reported firmware version, with each version's share"
                + " (devices that never reported a version are not counted).")
final class FleetVersions extends Subcommand {
    @Parameters(index = "0", paramLabel = "PRODUCT_ID")
    String product;

    @Override
    public Integer call() {
        return show(root().api().get(Api.path("=products", product, "=versions"), Map.of()), (out, v) -> {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode e : v.path("versions")) {
                rows.add(List.of(Text.s(e, "version"), Text.s(e, "devices"), Text.s(e, "percent") + "%"));
            }
            Text.table(out, List.of("VERSION", "DEVICES", "SHARE"), rows);
            out.println(Text.s(v, "devices") + " devices of product " + Text.s(v, "productId"));
        });
    }
}
