package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.DynamoDbRolloutStoreTest.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.port.out.DeviceDirectory.DevicePage;
import dev.ota.port.out.DeviceDirectory.Listed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DynamoDbDeviceDirectoryTest extends StoreFixture {

    private final String product = MotoTables.id("P");

    private void report(String name, String version) {
        devices.recordVersion(new DeviceId(product, name), version, T0);
    }

    private List<Listed> all(String productId, String version, int limit) {
        List<Listed> listed = new ArrayList<>();
        String token = null;
        do {
            DevicePage page = directory.page(productId, version, token, limit);
            assertThat(page.devices().size()).isLessThanOrEqualTo(limit);
            listed.addAll(page.devices());
            token = page.next();
        } while (token != null);
        return listed;
    }

    @Test
    void aProductsDevicesOnOneVersionPageThroughTheIndex() {
        for (int i = 0; i < 7; i++) {
            report("on-1-" + i, "1.0.0");
        }
        report("on-2", "2.0.0");
        devices.recordVersion(new DeviceId(MotoTables.id("P"), "elsewhere"), "1.0.0", T0);

        List<Listed> listed = all(product, "1.0.0", 3);

        assertThat(listed)
                .hasSize(7)
                .extracting(Listed::deviceName)
                .doesNotHaveDuplicates()
                .allMatch(n -> n.startsWith("on-1-"));
        assertThat(listed).extracting(Listed::currentVersion).containsOnly("1.0.0");
    }

    @Test
    void versionCountsSkipThroughTheIndexAndCountEachVersion() {
        for (int i = 0; i < 5; i++) {
            report("v1-" + i, "1.0.0");
        }
        report("v15", "1.5.0");
        report("v2-a", "2.0.0");
        report("v2-b", "2.0.0");
        devices.recordVersion(new DeviceId(MotoTables.id("P"), "other-product"), "1.0.0", T0);
        // A device a job took before it ever reported has no version: not in the index, not counted.
        JobRecord job = job(product, JobStatus.IN_PROGRESS, false);
        released(job, queue(job, "never-reported").get(0));

        assertThat(directory.versionCounts(product))
                .containsExactly(Map.entry("1.0.0", 5L), Map.entry("1.5.0", 1L), Map.entry("2.0.0", 2L));
        assertThat(directory.versionCounts(MotoTables.id("P"))).isEmpty();
    }

    @Test
    void withoutAVersionEveryDeviceOfTheProduct() {
        report("a", "1.0.0");
        report("b", "2.0.0");
        report("c", "1.5.0");

        assertThat(all(product, null, 2))
                .containsExactlyInAnyOrder(
                        new Listed("a", "1.0.0"), new Listed("b", "2.0.0"), new Listed("c", "1.5.0"));
    }

    @Test
    void aDeviceMovesWithItsVersionAndOneThatNeverReportedIsNotListed() {
        report("a", "1.0.0");
        report("b", "1.0.0");
        devices.recordVersion(new DeviceId(product, "a"), "2.0.0", T0.plusSeconds(1));
        // A device a job took before it ever reported has an item, without a version.
        JobRecord job = job(product, JobStatus.IN_PROGRESS, false);
        released(job, queue(job, "never-reported").get(0));
        assertThat(devices.find(new DeviceId(product, "never-reported"))
                        .orElseThrow()
                        .currentVersion())
                .isNull();

        assertThat(all(product, "1.0.0", 10)).containsExactly(new Listed("b", "1.0.0"));
        assertThat(all(product, "2.0.0", 10)).containsExactly(new Listed("a", "2.0.0"));
        assertThat(all(product, null, 10)).extracting(Listed::deviceName).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void anEmptyProductHasOneEmptyPage() {
        assertThat(directory.page(product, "1.0.0", null, 10)).isEqualTo(new DevicePage(List.of(), null));
    }

    @Test
    void aTokenThatIsNotOneIsAnInvalidRequest() {
        assertInvalid(() -> directory.page(product, "1.0.0", "!!", 10));
        assertInvalid(() -> directory.page(product, "1.0.0", "e30", 10));
    }
}
