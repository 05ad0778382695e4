package dev.ota.testing;

import dev.ota.domain.Firmware;
import dev.ota.port.FirmwareCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public final class InMemoryFirmwareCatalog implements FirmwareCatalog {

    private final Map<String, Firmware> byKey = new LinkedHashMap<>();
    private final List<Firmware> saves = new ArrayList<>();

    @Override
    public Optional<Firmware> find(String productId, String version) {
        return Optional.ofNullable(byKey.get(productId + "/" + version));
    }

    @Override
    public void save(Firmware firmware) {
        saves.add(firmware);
        byKey.put(firmware.productId() + "/" + firmware.version(), firmware);
    }

    public List<Firmware> saves() {
        return saves;
    }
}
