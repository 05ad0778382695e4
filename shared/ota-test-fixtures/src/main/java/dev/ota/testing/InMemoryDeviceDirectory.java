package dev.ota.testing;

import dev.ota.domain.DeviceState;
import dev.ota.port.out.DeviceDirectory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code byProductVersion} index over an {@link InMemoryDeviceStateStore}: the devices of a
 * product that reported a version (the index is sparse: a device with no version is not listed),
 * ordered by version, then name. A page token names the last device returned; a page is exactly
 * {@code limit} devices and a token is returned only when more follow. Reads are consistent (the
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
        List<DeviceState> listed = devices.all().stream()
                .filter(s -> s.device().productId().equals(productId) && s.currentVersion() != null)
                .filter(s -> version == null || version.equals(s.currentVersion()))
                .sorted(Comparator.comparing((DeviceState s) -> s.currentVersion()).thenComparing(s -> s.device().deviceName()))
                .toList();
        int from = 0;
        if (start != null) {
            String last;
            try {
                last = new String(Base64.getUrlDecoder().decode(start), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw InMemoryJobRepository.invalidToken();
            }
            from = listed.size();
            for (int i = 0; i < listed.size(); i++) {
                if (key(listed.get(i)).compareTo(last) > 0) {
                    from = i;
                    break;
                }
            }
        }
        int to = Math.min(listed.size(), from + limit);
        List<Listed> page = listed.subList(from, to).stream().map(s -> new Listed(s.device().deviceName(), s.currentVersion())).toList();
        String next = to < listed.size()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(key(listed.get(to - 1)).getBytes(StandardCharsets.UTF_8))
                : null;
        return new DevicePage(page, next);
    }

    /** Pages read so far: one index query each. */
    public synchronized int pages() {
        return pages;
    }

    private static String key(DeviceState s) {
        return s.currentVersion() + "\u0000" + s.device().deviceName();
    }
}
