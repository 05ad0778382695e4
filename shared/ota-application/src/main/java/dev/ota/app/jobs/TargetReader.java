package dev.ota.app.jobs;

import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.device.ThingName;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.TargetType;
import dev.ota.port.out.DeviceDirectory;
import dev.ota.port.out.DeviceListSource;
import dev.ota.port.out.ThingRegistry;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a job's targets in batches from a cursor, and says where the next batch starts. One reader
 * lives for one invocation; the cursor is what survives between invocations (on the job item).
 *
 * <p>Cursors: {@code i:<index>} (inline list), {@code f:<byteOffset>:<lineNumber>} (device-list
 * file), {@code v:<versionIndex>:<pageToken>} (source versions), {@code p:<pageToken>} (product),
 * {@code t:<pageToken>} (a thing group's or a fleet query's things).
 */
abstract class TargetReader implements AutoCloseable {

    /** A target: its name and, when the directory knows it, its version. */
    record Candidate(String deviceName, String fromVersion) {}

    /**
     * One batch; {@code cursor} resumes after it; {@code exhausted} when nothing follows;
     * {@code problem}, when not null, why the targets ended early (a missing group, a refused query).
     */
    record Batch(List<Candidate> candidates, long invalid, String cursor, boolean exhausted, String problem) {
        Batch(List<Candidate> candidates, long invalid, String cursor, boolean exhausted) {
            this(candidates, invalid, cursor, exhausted, null);
        }
    }

    abstract Batch next(int max);

    @Override
    public void close() {}

    static TargetReader open(
            JobDefinition def, String cursor, DeviceDirectory directory, DeviceListSource lists, ThingRegistry things) {
        return switch (def.targetType()) {
            case DEVICE_LIST -> new ListReader(def.deviceNames(), cursor);
            case DEVICE_LIST_FILE -> new FileReader(def, cursor, lists);
            case SOURCE_VERSIONS, PRODUCT -> new DirectoryReader(def, cursor, directory);
            case THING_GROUP, FLEET_QUERY -> new ThingReader(def, cursor, things);
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

    /**
     * The things of a thing group or a fleet-indexing query, one registry page per batch, mapped
     * to the job's devices. A static group is listed (its child groups' things included); a
     * dynamic group is read as what it is, the things its query finds now, so its members count
     * even while AWS is still building the group. A thing is the device its attributes
     * {@code productId} and {@code deviceName} name (as {@code ota device register} sets them),
     * else the device its name decodes to ({@link ThingName#decode}); a thing of another product
     * or of no device counts as invalid.
     */
    static final class ThingReader extends TargetReader {
        /** ListThingsInThingGroup returns at most 250 things a page, SearchIndex 100. */
        static final int MEMBERS_PAGE = 250;

        static final int SEARCH_PAGE = 100;
        private final JobDefinition def;
        private final ThingRegistry things;
        private String token;

        ThingReader(JobDefinition def, String cursor, ThingRegistry things) {
            this.def = def;
            this.things = things;
            this.token = cursor == null || cursor.length() <= 2 ? null : cursor.substring(2);
        }

        @Override
        Batch next(int max) {
            ThingRegistry.ThingPage page;
            try {
                if (def.targetType() == TargetType.FLEET_QUERY) {
                    page = things.search(null, def.fleetQuery(), token, Math.min(max, SEARCH_PAGE));
                } else {
                    ThingRegistry.ThingGroup group =
                            things.group(def.thingGroupName()).orElse(null);
                    if (group == null) {
                        return ended("there is no thing group " + def.thingGroupName());
                    }
                    page = group.dynamic()
                            ? things.search(group.indexName(), group.queryString(), token, Math.min(max, SEARCH_PAGE))
                            : things.members(group.name(), token, Math.min(max, MEMBERS_PAGE));
                }
            } catch (ThingRegistry.QueryRejectedException e) {
                return ended("AWS IoT refused the query: " + e.getMessage());
            }
            List<Candidate> batch = new ArrayList<>();
            long invalid = 0;
            for (ThingRegistry.Thing thing : page.things()) {
                String name = deviceName(thing);
                if (name == null) {
                    invalid++;
                } else {
                    batch.add(new Candidate(name, null));
                }
            }
            token = page.next();
            return new Batch(batch, invalid, "t:" + (token == null ? "" : token), token == null);
        }

        private Batch ended(String problem) {
            return new Batch(List.of(), 0, "t:", true, problem);
        }

        /** The job product's device the thing stands for, or null. */
        private String deviceName(ThingRegistry.Thing thing) {
            DeviceId device = null;
            if (thing.attributes() != null) {
                device = byAttributes(thing.attributes());
            }
            if (device == null) {
                device = byName(thing.thingName());
            }
            if (device == null && thing.attributes() == null) {
                // Listed without attributes, and its name is no device's: its attributes may say.
                device = things.thing(thing.thingName())
                        .map(t -> t.attributes() == null ? null : byAttributes(t.attributes()))
                        .orElse(null);
            }
            return device != null && device.productId().equals(def.productId()) ? device.deviceName() : null;
        }

        private static DeviceId byAttributes(Map<String, String> attributes) {
            String product = attributes.get(ThingName.PRODUCT_ATTRIBUTE);
            String name = attributes.get(ThingName.DEVICE_ATTRIBUTE);
            if (product == null || name == null) {
                return null;
            }
            try {
                return new DeviceId(product, name);
            } catch (InvalidMessageException e) {
                return null;
            }
        }

        private static DeviceId byName(String thingName) {
            try {
                return new ThingName(thingName).decode();
            } catch (IllegalArgumentException | InvalidMessageException e) {
                return null;
            }
        }
    }
}
