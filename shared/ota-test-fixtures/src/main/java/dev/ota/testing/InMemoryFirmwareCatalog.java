package dev.ota.testing;

import dev.ota.domain.Firmware;
import dev.ota.domain.OperatorException;
import dev.ota.domain.Page;
import dev.ota.port.out.FirmwareCatalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Records by "productId/version", in key order; a page token is the last key returned. */
public class InMemoryFirmwareCatalog implements FirmwareCatalog {

    private final Map<String, Firmware> byKey = new TreeMap<>();
    private final Map<String, Upload> uploads = new TreeMap<>();
    private final List<Firmware> saves = new ArrayList<>();

    private static String key(String productId, String version) {
        return productId + "/" + version;
    }

    @Override
    public synchronized Optional<Firmware> find(String productId, String version) {
        return Optional.ofNullable(byKey.get(key(productId, version)));
    }

    @Override
    public synchronized void save(Firmware firmware) {
        saves.add(firmware);
        byKey.put(key(firmware.productId(), firmware.version()), firmware);
    }

    @Override
    public synchronized boolean insert(Firmware firmware, Upload upload) {
        String key = key(firmware.productId(), firmware.version());
        if (byKey.containsKey(key)) {
            return false;
        }
        byKey.put(key, firmware);
        if (upload != null) {
            uploads.put(key, upload);
        }
        return true;
    }

    @Override
    public synchronized List<Firmware> uploadingSince(Instant cutoff, int limit) {
        return byKey.values().stream()
                .filter(f ->
                        f.status() == Firmware.Status.UPLOADING && f.createdAt().isBefore(cutoff))
                .sorted(Comparator.comparing(Firmware::createdAt))
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized Optional<Upload> upload(String productId, String version) {
        return Optional.ofNullable(uploads.get(key(productId, version)));
    }

    @Override
    public synchronized boolean settle(Firmware next, Firmware.Status expected) {
        String key = key(next.productId(), next.version());
        Firmware current = byKey.get(key);
        if (current == null || current.status() != expected || !current.s3Key().equals(next.s3Key())) {
            return false;
        }
        saves.add(next);
        byKey.put(key, next);
        return true;
    }

    @Override
    public synchronized Page<Firmware> list(String productId, String nextToken, int limit) {
        if (nextToken != null && !byKey.containsKey(nextToken)) {
            throw new OperatorException(OperatorException.Code.INVALID_REQUEST, "nextToken is not valid");
        }
        List<Firmware> page = new ArrayList<>();
        String last = null;
        boolean more = false;
        for (Map.Entry<String, Firmware> e : byKey.entrySet()) {
            if (nextToken != null && e.getKey().compareTo(nextToken) <= 0) {
                continue;
            }
            if (productId != null && !e.getValue().productId().equals(productId)) {
                continue;
            }
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(e.getValue());
            last = e.getKey();
        }
        return new Page<>(page, more ? last : null);
    }

    @Override
    public synchronized Optional<Firmware> editDescription(String productId, String version, String description) {
        return Optional.ofNullable(
                byKey.computeIfPresent(key(productId, version), (k, f) -> f.withDescription(description)));
    }

    @Override
    public synchronized boolean delete(String productId, String version) {
        uploads.remove(key(productId, version));
        return byKey.remove(key(productId, version)) != null;
    }

    public synchronized List<Firmware> saves() {
        return saves;
    }
}
