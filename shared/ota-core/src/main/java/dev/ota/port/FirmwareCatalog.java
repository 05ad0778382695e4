package dev.ota.port;

import dev.ota.domain.Firmware;
import java.util.Optional;

public interface FirmwareCatalog {
    Optional<Firmware> find(String productId, String version);

    void save(Firmware firmware);
}
