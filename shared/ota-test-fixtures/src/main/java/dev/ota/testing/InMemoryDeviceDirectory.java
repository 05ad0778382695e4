package dev.ota.testing;

import dev.ota.domain.DeviceState;
import dev.ota.port.out.DeviceDirectory;
import java.util.Comparator;
import java.util.List;

/** The devices of an {@link InMemoryDeviceStateStore} by product and version, in name order; a page's token is its last name. */
public final class InMemoryDeviceDirectory implements DeviceDirectory {

    private final InMemoryDeviceStateStore devices;

    public InMemoryDeviceDirectory(InMemoryDeviceStateStore devices) {
        this.devices = devices;
    }

    @Override
    public DevicePage page(String productId, String version, String start, int limit) {
        List<DeviceState> matching = devices.all().stream()
                .filter(s -> s.device().productId().equals(productId) && s.currentVersion() != null)
                .filter(s -> version == null || version.equals(s.currentVersion()))
                .filter(s -> start == null || s.device().deviceName().compareTo(start) > 0)
                .sorted(Comparator.comparing(s -> s.device().deviceName()))
                .toList();
        List<DeviceState> page = matching.subList(0, Math.min(limit, matching.size()));
        return new DevicePage(page.stream().map(s -> new Listed(s.device().deviceName(), s.currentVersion())).toList(),
                matching.size() > limit ? page.get(page.size() - 1).device().deviceName() : null);
    }
}
