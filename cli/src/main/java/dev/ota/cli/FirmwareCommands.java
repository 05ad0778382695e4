package dev.ota.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ota firmware ...}: the firmware catalogue. */
@Command(name = "firmware", description = "Upload, list, describe, edit and delete firmware.",
        subcommands = {FirmwareCommands.Upload.class, FirmwareCommands.ListCmd.class, FirmwareCommands.Describe.class,
                FirmwareCommands.Edit.class, FirmwareCommands.Delete.class})
final class FirmwareCommands implements Runnable {

    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @ParentCommand
    OtaCli root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: upload, list, describe, edit or delete");
    }

    abstract static class Leaf implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @ParentCommand
        FirmwareCommands parent;

        OtaCli root() {
            return parent.root;
        }
    }

    static String path(String product, String version, String... more) {
        List<String> segments = new ArrayList<>(List.of("=firmware", product, version));
        for (String m : more) {
            segments.add("=" + m);
        }
        return Api.path(segments.toArray(String[]::new));
    }

    @Command(name = "upload", description = {
            "Upload a firmware file: computes its MD5 locally, reserves the version, PUTs the bytes to S3 "
                    + "(one PUT, or a multipart upload in sequence for large files) with a progress bar, then waits "
                    + "until the backend has verified it (AVAILABLE) or rejected it (exit 1)."})
    static final class Upload extends Leaf {
        @Parameters(index = "0", paramLabel = "FILE", description = "The firmware image (at most 1 GiB).")
        Path file;

        @Option(names = "--product", required = true, paramLabel = "PRODUCT_ID")
        String product;

        @Option(names = "--version", required = true, paramLabel = "VERSION", description = "1-32 characters of [A-Za-z0-9._+~-], unique per product.")
        String version;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        @Option(names = "--file-name", paramLabel = "NAME", description = "Object name in the bucket (default: the file's name).")
        String fileName;

        @Option(names = "--no-wait", description = "Return once the bytes are uploaded, without waiting for verification.")
        boolean noWait;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "10m",
                description = "How long to wait for verification (default: ${DEFAULT-VALUE}); exit 5 after it.")
        Duration timeout;

        @Override
        public Integer call() throws Exception {
            OtaCli root = root();
            if (!Files.isRegularFile(file)) {
                throw new CliException(ExitCodes.USAGE, "no such file: " + file);
            }
            long size = Files.size(file);
            String md5 = md5(root, file, size);
            Api api = root.api();
            ObjectNode start = Api.JSON.createObjectNode().put("productId", product).put("version", version).put("fileSize", size).put("md5sum", md5);
            String name = fileName != null ? fileName : file.getFileName().toString();
            if (name.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")) {
                start.put("fileName", name);
            } else if (fileName != null) {
                start.put("fileName", fileName); // let the API say what is wrong with it
            }
            if (description != null) {
                start.put("description", description);
            }
            JsonNode ticket = api.post("/firmware", start);
            ProgressBar bar = root.bar("upload", size);
            if ("MULTIPART".equals(ticket.path("method").asText())) {
                long partSize = ticket.path("partSize").asLong();
                ArrayNode parts = Api.JSON.createArrayNode();
                for (JsonNode part : ticket.path("parts")) {
                    int n = part.path("partNumber").asInt();
                    long offset = (n - 1) * partSize;
                    long length = Math.min(partSize, size - offset);
                    String etag = api.putPresigned(part.path("url").asText(), length, () -> slice(file, offset, length, bar), "part " + n);
                    parts.addObject().put("partNumber", n).put("etag", etag);
                }
                bar.finish();
                ObjectNode complete = Api.JSON.createObjectNode().put("uploadId", ticket.path("uploadId").asText());
                complete.set("parts", parts);
                api.post(path(product, version, "complete"), complete);
            } else {
                api.putPresigned(ticket.path("url").asText(), size, () -> slice(file, 0, size, bar), "the firmware");
                bar.finish();
            }
            JsonNode firmware = noWait ? api.get(path(product, version), java.util.Map.of()) : awaitVerified(root, api);
            root.print(firmware, () -> Text.firmware(root.environment().out(), firmware));
            if ("REJECTED".equals(firmware.path("status").asText())) {
                root.environment().err().println("ota: firmware " + version + " was REJECTED: " + firmware.path("rejectionReason").asText());
                return ExitCodes.FAILED;
            }
            return ExitCodes.OK;
        }

        private JsonNode awaitVerified(OtaCli root, Api api) throws InterruptedException {
            Instant deadline = root.environment().clock().instant().plus(timeout);
            boolean told = false;
            while (true) {
                JsonNode firmware = api.get(path(product, version), java.util.Map.of());
                if (!"UPLOADING".equals(firmware.path("status").asText())) {
                    return firmware;
                }
                if (!told && root.progress()) {
                    root.environment().err().println("verifying: the backend is computing size, MD5 and SHA-256 ...");
                    told = true;
                }
                if (root.environment().clock().instant().isAfter(deadline)) {
                    throw new CliException(ExitCodes.TIMEOUT, "firmware " + version + " is still UPLOADING after " + timeout.toSeconds()
                            + " s; check later with: ota firmware describe --product " + product + " --version " + version);
                }
                Thread.sleep(1000);
            }
        }

        private static String md5(OtaCli root, Path file, long size) throws IOException {
            MessageDigest md5;
            try {
                md5 = MessageDigest.getInstance("MD5");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            ProgressBar bar = root.bar("md5   ", size);
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

        /** {@code length} bytes of the file from {@code offset}, counted into the bar as they are read. */
        private static InputStream slice(Path file, long offset, long length, ProgressBar bar) {
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                channel.position(offset);
                InputStream raw = Channels.newInputStream(channel);
                return new FilterInputStream(raw) {
                    long left = length;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (left <= 0) {
                            return -1;
                        }
                        int n = super.read(b, off, (int) Math.min(len, left));
                        if (n > 0) {
                            left -= n;
                            bar.advance(n);
                        }
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "list", description = "List firmware (of one product with --product), newest version last.")
    static final class ListCmd extends Leaf {
        @Option(names = "--product", paramLabel = "PRODUCT_ID")
        String product;

        @Option(names = "--limit", paramLabel = "N", description = "Items per page, 1-100 (default: 50).")
        Integer limit;

        @Option(names = "--next-token", paramLabel = "TOKEN", description = "Continue after the page that returned this token.")
        String nextToken;

        @Option(names = "--all", description = "Follow nextToken to the end.")
        boolean all;

        @Override
        public Integer call() {
            OtaCli root = root();
            JsonNode page = Pages.fetch(root.api(), "/firmware", Api.query("productId", product), limit, nextToken, all);
            root.print(page, () -> {
                List<List<String>> rows = new ArrayList<>();
                page.path("items").forEach(f -> rows.add(Text.firmwareRow(f)));
                Text.table(root.environment().out(), Text.FIRMWARE_HEADERS, rows);
                Pages.printToken(root, page);
            });
            return ExitCodes.OK;
        }
    }

    abstract static class OneFirmware extends Leaf {
        @Option(names = "--product", required = true, paramLabel = "PRODUCT_ID")
        String product;

        @Option(names = "--version", required = true, paramLabel = "VERSION")
        String version;
    }

    @Command(name = "describe", description = "Show one firmware: status, size, MD5, SHA-256, description, rejection reason.")
    static final class Describe extends OneFirmware {
        @Override
        public Integer call() {
            OtaCli root = root();
            JsonNode f = root.api().get(path(product, version), java.util.Map.of());
            root.print(f, () -> Text.firmware(root.environment().out(), f));
            return ExitCodes.OK;
        }
    }

    @Command(name = "edit", description = "Change a firmware's description.")
    static final class Edit extends OneFirmware {
        @Option(names = "--description", required = true, paramLabel = "TEXT")
        String description;

        @Override
        public Integer call() {
            OtaCli root = root();
            JsonNode f = root.api().patch(path(product, version), Api.JSON.createObjectNode().put("description", description));
            root.print(f, () -> Text.firmware(root.environment().out(), f));
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", description = "Delete a firmware and its file. Refused (exit 1, FIRMWARE_IN_USE) while a live job targets it.")
    static final class Delete extends OneFirmware {
        @Override
        public Integer call() {
            OtaCli root = root();
            root.api().delete(path(product, version));
            ObjectNode result = Api.JSON.createObjectNode().put("productId", product).put("version", version).put("deleted", true);
            root.print(result, () -> root.environment().out().println("deleted firmware " + version + " of product " + product));
            return ExitCodes.OK;
        }
    }
}
