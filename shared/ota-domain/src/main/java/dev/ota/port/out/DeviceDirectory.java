package dev.ota.port.out;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The devices of a product as their version reports recorded them (Devices table, byProductVersion index). */
public interface DeviceDirectory {

    record Listed(String deviceName, String currentVersion) {}

    /** @param next null on the last page */
    record DevicePage(List<Listed> devices, String next) {}

    /**
     * One page of the product's devices on {@code version}, or on any version when it is null.
     *
     * @param start null for the first page, else a previous page's {@code next}
     */
    DevicePage page(String productId, String version, String start, int limit);

    /**
     * The product's devices per reported version, in the index's order (devices that never reported
     * a version are not in the index). This default reads every listed device; a store that can count
     * without returning items does better.
     */
    default Map<String, Long> versionCounts(String productId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        String start = null;
        do {
            DevicePage page = page(productId, null, start, 1000);
            page.devices().forEach(d -> counts.merge(d.currentVersion(), 1L, Long::sum));
            start = page.next();
        } while (start != null);
        return counts;
    }
}
