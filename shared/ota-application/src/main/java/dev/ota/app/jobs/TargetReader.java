package dev.ota.app.jobs;

import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.TargetType;
import dev.ota.port.out.DeviceDirectory;
import dev.ota.port.out.DeviceListSource;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a job's targets in batches from a cursor, and says where the next batch starts. One reader
 * lives for one invocation; the cursor is what survives between invocations (on the job item).
 *
 * <p>Cursors: {@code i:<index>} (inline list), {@code f:<byteOffset>:<lineNumber>} (device-list
 * file), {@code v:<versionIndex>:<pageToken>} (source versions), {@code p:<pageToken>} (product).
 */
abstract class TargetReader implements AutoCloseable {

    /** A target: its name and, when the directory knows it, its version. */
    record Candidate(String deviceName, String fromVersion) {}

    /** One batch; {@code cursor} resumes after it; {@code exhausted} when nothing follows. */
    record Batch(List<Candidate> candidates, long invalid, String cursor, boolean exhausted) {}

    abstract Batch next(int max);

    @Override
    public void close() {}

    static TargetReader open(JobDefinition def, String cursor, DeviceDirectory directory, DeviceListSource lists) {
        return switch (def.targetType()) {
            case DEVICE_LIST -> new ListReader(def.deviceNames(), cursor);
            case DEVICE_LIST_FILE -> new FileReader(def, cursor, lists);
            case SOURCE_VERSIONS, PRODUCT -> new DirectoryReader(def, cursor, directory);
        };
    }

    /** A device list the caller holds, when it is not stored with the job (see {@link JobEngine#rollOutNow}). */
    static TargetReader list(List<String> names, String cursor) {
        return new ListReader(names, cursor);
    }

    static boolean validName(String productId, String name) {
        try {
            new DeviceId(productId, name);
            return true;
        } catch (InvalidMessageException e) {
            return false;
        }
    }

    /** An inline list: the definition's (at most {@link JobDefinition#MAX_INLINE_DEVICES} names) or the caller's. */
    static final class ListReader extends TargetReader {
        private final List<String> names;
        private int index;

        ListReader(List<String> names, String cursor) {
            this.names = names;
            this.index = cursor == null ? 0 : Integer.parseInt(cursor.substring(2));
        }

        @Override
        Batch next(int max) {
            int end = Math.min(names.size(), index + max);
            List<Candidate> batch = new ArrayList<>();
            for (int i = index; i < end; i++) {
                batch.add(new Candidate(names.get(i), null));
            }
            index = end;
            return new Batch(batch, 0, "i:" + index, index >= names.size());
        }
    }

    /**
     * A device-list file, one name per line, streamed from the byte offset of the cursor: memory
     * holds one batch, never the file. Blank lines and lines starting with '#' are skipped;
     * surrounding blanks and a CR before the LF are trimmed; a line that is no valid device name
     * (or longer than 4 KiB) counts as invalid.
     */
    static final class FileReader extends TargetReader {
        private static final int MAX_LINE = 4096;
        private final String productId;
        private final String key;
        private final DeviceListSource lists;
        private long offset;
        private long line;
        private InputStream in;
        private boolean eof;
        private final byte[] buffer = new byte[MAX_LINE];

        FileReader(JobDefinition def, String cursor, DeviceListSource lists) {
            this.productId = def.productId();
            this.key = def.deviceListS3Key();
            this.lists = lists;
            if (cursor != null) {
                String[] parts = cursor.split(":");
                offset = Long.parseLong(parts[1]);
                line = Long.parseLong(parts[2]);
            }
        }

        @Override
        Batch next(int max) {
            List<Candidate> batch = new ArrayList<>();
            long invalid = 0;
            int lines = 0;
            try {
                if (in == null && !eof) {
                    in = new BufferedInputStream(lists.open(key, offset), 64 * 1024);
                }
                while (!eof && lines < max) {
                    int length = 0;
                    boolean tooLong = false;
                    int b;
                    while ((b = in.read()) != -1 && b != '\n') {
                        offset++;
                        if (length < MAX_LINE) {
                            buffer[length++] = (byte) b;
                        } else {
                            tooLong = true;
                        }
                    }
                    if (b == '\n') {
                        offset++;
                    } else {
                        eof = true;
                        if (length == 0 && !tooLong) {
                            break;
                        }
                    }
                    line++;
                    lines++;
                    String text = new String(buffer, 0, length, StandardCharsets.UTF_8).strip();
                    if (tooLong) {
                        invalid++;
                    } else if (text.isEmpty() || text.startsWith("#")) {
                        continue;
                    } else if (validName(productId, text)) {
                        batch.add(new Candidate(text, null));
                    } else {
                        invalid++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading device-list file " + key + " at byte " + offset, e);
            }
            return new Batch(batch, invalid, "f:" + offset + ":" + line, eof);
        }

        @Override
        public void close() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // an abandoned read of a file we are done with
                }
            }
        }
    }

    /** Devices of the product on the source versions (or on any version but the target, for PRODUCT). */
    static final class DirectoryReader extends TargetReader {
        private final JobDefinition def;
        private final DeviceDirectory directory;
        private int versionIndex;
        private String token;

        DirectoryReader(JobDefinition def, String cursor, DeviceDirectory directory) {
            this.def = def;
            this.directory = directory;
            if (cursor != null) {
                String[] parts = cursor.split(":", -1);
                if (parts[0].equals("v")) {
                    versionIndex = Integer.parseInt(parts[1]);
                    token = parts[2].isEmpty() ? null : parts[2];
                } else {
                    token = parts[1].isEmpty() ? null : parts[1];
                }
            }
        }

        @Override
        Batch next(int max) {
            boolean product = def.targetType() == TargetType.PRODUCT;
            String version = product ? null : def.sourceVersions().get(versionIndex);
            DeviceDirectory.DevicePage page = directory.page(def.productId(), version, token, max);
            List<Candidate> batch = new ArrayList<>();
            for (DeviceDirectory.Listed d : page.devices()) {
                if (!def.targetVersion().equals(d.currentVersion())) {
                    batch.add(new Candidate(d.deviceName(), d.currentVersion()));
                }
            }
            token = page.next();
            boolean exhausted;
            if (token == null && !product) {
                versionIndex++;
                exhausted = versionIndex >= def.sourceVersions().size();
            } else {
                exhausted = token == null;
            }
            String cursor = product
                    ? "p:" + (token == null ? "" : token)
                    : "v:" + versionIndex + ":" + (token == null ? "" : token);
            return new Batch(batch, 0, cursor, exhausted);
        }
    }
}
