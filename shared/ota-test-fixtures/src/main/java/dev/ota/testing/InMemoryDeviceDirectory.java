package dev.ota.testing;

import dev.ota.domain.DeviceState;
import dev.ota.port.out.DeviceDirectory;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code byProductVersion} index over an {@link InMemoryDeviceStateStore}, as
 * {@code DynamoDbDeviceDirectory} queries it: the devices of a product that reported a version (the
 * index is sparse: a device with no version is not listed), ordered by version, then name. A page
 * is exactly {@code limit} devices; its token names the last device returned, is returned only
 * when more follow, and is valid only for the same product and version. Reads are consistent (the
 * real index may lag a moment).
 */
public final class InMemoryDeviceDirectory implements DeviceDirectory {

    private final InMemoryDeviceStateStore devices;
    private int pages;

    public InMemoryDeviceDirectory(InMemoryDeviceStateStore devices) {
        this.devices = devices;
    }

    @Override
    public synchronized DevicePage page(String productId, String version, String start, int limit) {
        pages++;
        String listing = productId + "\n" + (version == null ? "*" : "v/" + version);
        String after = TableConventions.afterToken(start, listing);
        List<DeviceState> listed = devices.all().stream()
                .filter(s -> s.device().productId().equals(productId) && s.currentVersion() != null)
                .filter(s -> version == null || version.equals(s.currentVersion()))
                .filter(s -> after == null || key(s).compareTo(after) > 0)
                .sorted(Comparator.comparing(InMemoryDeviceDirectory::key))
                .toList();
        List<DeviceState> page = listed.subList(0, Math.min(limit, listed.size()));
        return new DevicePage(
                page.stream()
                        .map(s -> new Listed(s.device().deviceName(), s.currentVersion()))
                        .toList(),
                listed.size() > limit ? TableConventions.pageToken(listing, key(page.get(page.size() - 1))) : null);
    }

    /** Pages read so far: one index query each. */
    public synchronized int pages() {
        return pages;
    }

    /** The index's order: version, then (where DynamoDB leaves it open) name. */
    private static String key(DeviceState s) {
        return s.currentVersion() + "\u0000" + s.device().deviceName();
    }
}
