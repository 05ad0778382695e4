package dev.ota.cli.firmware;

import dev.ota.cli.Api;
import dev.ota.cli.CommandGroup;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code ota firmware ...}: the firmware catalogue. */
@Command(
        name = "firmware",
        description = "Upload, list, describe, edit and delete firmware.",
        subcommands = {
            FirmwareUpload.class,
            FirmwareList.class,
            FirmwareDescribe.class,
            FirmwareEdit.class,
            FirmwareDelete.class
        })
public final class FirmwareCommand extends CommandGroup {

    /** {@code /firmware/{productId}/{version}} (encoded) followed by fixed segments such as {@code complete}. */
    static String path(String product, String version, String... more) {
        List<String> segments = new ArrayList<>(List.of("=firmware", product, version));
        for (String m : more) {
            segments.add("=" + m);
        }
        return Api.path(segments.toArray(String[]::new));
    }
}
