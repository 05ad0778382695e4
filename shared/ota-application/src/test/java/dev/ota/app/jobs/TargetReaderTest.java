package dev.ota.app.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.TargetType;
import dev.ota.port.in.JobOperations.CreateJob;
import dev.ota.port.in.JobOperations.Targets;
import dev.ota.port.out.DeviceListSource;
import dev.ota.port.out.ThingRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device-list file reader: batches, byte-offset cursors that resume exactly, and what counts as a name. */
class TargetReaderTest {

    private static final String FILE =
            "# fleet\r\n  dev-1 \r\n\r\ndev-2\nbad name\n#dev-x\ndev-3\n" + "y".repeat(5000) + "\ndev-4";

    private static final class Bytes implements DeviceListSource {
        final byte[] data;
        int opens;

        Bytes(String text) {
            data = text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public long size(String key) {
            return data.length;
        }

        @Override
        public InputStream open(String key, long offset) {
            opens++;
            return new ByteArrayInputStream(Arrays.copyOfRange(data, (int) offset, data.length));
        }
    }

    private static JobDefinition def() {
        return JobDefinitions.from(
                new CreateJob(
                        "P",
                        "2.0",
                        new Targets(TargetType.DEVICE_LIST_FILE, null, null, "device-lists/f.txt"),
                        false,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null),
                Instant.EPOCH);
    }

    @Test
    void readsNamesSkipsBlanksAndCommentsCountsInvalid() {
        Bytes source = new Bytes(FILE);
        List<String> names = new ArrayList<>();
        long invalid = 0;
        try (TargetReader reader = TargetReader.open(def(), null, null, source, ThingRegistry.NONE)) {
            TargetReader.Batch b;
            do {
                b = reader.next(1000);
                b.candidates().forEach(c -> names.add(c.deviceName()));
                invalid += b.invalid();
            } while (!b.exhausted());
            assertThat(b.cursor()).isEqualTo("f:" + source.data.length + ":9");
        }
        assertThat(names).containsExactly("dev-1", "dev-2", "dev-3", "dev-4");
        assertThat(invalid).as("a name with a space, a line over 4 KiB").isEqualTo(2);
        assertThat(source.opens).isEqualTo(1);
    }

    @Test
    void resumingFromEveryCursorReadsTheSameNamesOnce() {
        Bytes source = new Bytes(FILE);
        List<String> names = new ArrayList<>();
        String cursor = null;
        boolean done = false;
        while (!done) {
            try (TargetReader reader = TargetReader.open(def(), cursor, null, source, ThingRegistry.NONE)) {
                TargetReader.Batch b = reader.next(1);
                b.candidates().forEach(c -> names.add(c.deviceName()));
                cursor = b.cursor();
                done = b.exhausted();
            }
        }
        assertThat(names).containsExactly("dev-1", "dev-2", "dev-3", "dev-4");
    }

    @Test
    void inlineListResumesByIndex() {
        JobDefinition d = JobDefinitions.from(
                new CreateJob(
                        "P",
                        "2.0",
                        new Targets(TargetType.DEVICE_LIST, null, List.of("a", "b", "c"), null),
                        false,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null),
                Instant.EPOCH);
        TargetReader first = TargetReader.open(d, null, null, null, ThingRegistry.NONE);
        TargetReader.Batch b1 = first.next(2);
        assertThat(b1.candidates())
                .extracting(TargetReader.Candidate::deviceName)
                .containsExactly("a", "b");
        TargetReader.Batch b2 = TargetReader.open(d, b1.cursor(), null, null, ThingRegistry.NONE)
                .next(2);
        assertThat(b2.candidates())
                .extracting(TargetReader.Candidate::deviceName)
                .containsExactly("c");
        assertThat(b2.exhausted()).isTrue();
    }
}
