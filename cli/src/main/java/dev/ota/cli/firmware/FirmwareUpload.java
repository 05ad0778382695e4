package dev.ota.cli.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.cli.Api;
import dev.ota.cli.CliException;
import dev.ota.cli.Durations;
import dev.ota.cli.ExitCodes;
import dev.ota.cli.FileSlice;
import dev.ota.cli.OtaCli;
import dev.ota.cli.ProgressBar;
import dev.ota.cli.Subcommand;
import dev.ota.cli.Text;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "upload",
        description = {
            "Upload a firmware file: computes its MD5 locally, reserves the version, PUTs the bytes to S3 "
                    + "(one PUT, or a multipart upload in sequence for large files) with a progress bar, then waits "
                    + "until the backend has verified it (AVAILABLE) or rejected it (exit 1)."
        })
public final class FirmwareUpload extends Subcommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The firmware image (at most 1 GiB).")
    Path file;

    @Option(names = "--product", required = true, paramLabel = "PRODUCT_ID")
    String product;

    @Option(
            names = "--version",
            required = true,
            paramLabel = "VERSION",
            description = "1-32 characters of [A-Za-z0-9._+~-], unique per product.")
    String version;

    @Option(names = "--description", paramLabel = "TEXT")
    String description;

    @Option(
            names = "--file-name",
            paramLabel = "NAME",
            description = "Object name in the bucket (default: the file's name).")
    String fileName;

    @Option(names = "--no-wait", description = "Return once the bytes are uploaded, without waiting for verification.")
    boolean noWait;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            converter = Durations.class,
            defaultValue = "10m",
            description = "How long to wait for verification (default: ${DEFAULT-VALUE}); exit 5 after it.")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        OtaCli root = root();
        if (!Files.isRegularFile(file)) {
            throw new CliException(ExitCodes.USAGE, "no such file: " + file);
        }
        long size = Files.size(file);
        String md5 = md5(file, root.bar("md5   ", size));
        Api api = root.api();
        String name = fileName != null ? fileName : file.getFileName().toString();
        transfer(api, file, size, md5, product, version, description, name, fileName != null, root.bar("upload", size));
        JsonNode firmware =
                noWait ? api.get(FirmwareCommand.path(product, version), Map.of()) : awaitVerified(root, api);
        show(firmware, Text::firmware);
        if ("REJECTED".equals(firmware.path("status").asText())) {
            root.environment()
                    .err()
                    .println("ota: firmware " + version + " was REJECTED: "
                            + firmware.path("rejectionReason").asText());
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    /**
     * Reserves the version and PUTs the file's bytes to S3 (one PUT, or the parts of a multipart
     * upload in sequence, then completes it); the CLI and the console upload through this.
     *
     * @param name the object name; sent if valid, or if the operator chose it (the API says what is wrong)
     */
    public static void transfer(
            Api api,
            Path file,
            long size,
            String md5,
            String product,
            String version,
            String description,
            String name,
            boolean chosenName,
            ProgressBar bar) {
        ObjectNode start = Api.JSON
                .createObjectNode()
                .put("productId", product)
                .put("version", version)
                .put("fileSize", size)
                .put("md5sum", md5);
        if (name.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}") || chosenName) {
            start.put("fileName", name);
        }
        if (description != null) {
            start.put("description", description);
        }
        JsonNode ticket = api.post("/firmware", start);
        if ("MULTIPART".equals(ticket.path("method").asText())) {
            long partSize = ticket.path("partSize").asLong();
            ArrayNode parts = Api.JSON.createArrayNode();
            for (JsonNode part : ticket.path("parts")) {
                int n = part.path("partNumber").asInt();
                long offset = (n - 1) * partSize;
                long length = Math.min(partSize, size - offset);
                String etag = api.putPresigned(
                        part.path("url").asText(),
                        length,
                        () -> FileSlice.open(file, offset, length, bar),
                        "part " + n);
                parts.addObject().put("partNumber", n).put("etag", etag);
            }
            bar.finish();
            ObjectNode complete = Api.JSON
                    .createObjectNode()
                    .put("uploadId", ticket.path("uploadId").asText());
            complete.set("parts", parts);
            api.post(FirmwareCommand.path(product, version, "complete"), complete);
        } else {
            api.putPresigned(
                    ticket.path("url").asText(), size, () -> FileSlice.open(file, 0, size, bar), "the firmware");
            bar.finish();
        }
    }

    private JsonNode awaitVerified(OtaCli root, Api api) throws InterruptedException {
        Instant deadline = root.environment().clock().instant().plus(timeout);
        boolean told = false;
        while (true) {
            JsonNode firmware = api.get(FirmwareCommand.path(product, version), Map.of());
            if (!"UPLOADING".equals(firmware.path("status").asText())) {
                return firmware;
            }
            if (!told && root.progress()) {
                root.environment().err().println("verifying: the backend is computing size, MD5 and SHA-256 ...");
                told = true;
            }
            if (root.environment().clock().instant().isAfter(deadline)) {
                throw new CliException(
                        ExitCodes.TIMEOUT,
                        "firmware " + version + " is still UPLOADING after " + timeout.toSeconds()
                                + " s; check later with: ota firmware describe --product " + product + " --version "
                                + version);
            }
            Thread.sleep(1000);
        }
    }

    /** The file's MD5 in lowercase hex, counted into {@code bar} as it is read. */
    public static String md5(Path file, ProgressBar bar) throws IOException {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                md5.update(buffer, 0, n);
                bar.advance(n);
            }
        }
        bar.finish();
        return HexFormat.of().formatHex(md5.digest());
    }
}
