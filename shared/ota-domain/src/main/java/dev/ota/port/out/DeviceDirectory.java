package dev.ota.port.out;

import java.util.List;

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
}
