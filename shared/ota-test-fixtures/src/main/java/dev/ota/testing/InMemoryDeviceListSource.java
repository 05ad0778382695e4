package dev.ota.testing;

import dev.ota.port.out.DeviceListSource;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Device-list files in memory, by S3 key; {@link #open} is a ranged read from the byte offset. */
public final class InMemoryDeviceListSource implements DeviceListSource {

    private final Map<String, byte[]> files = new HashMap<>();
    private int opens;

    public synchronized void put(String key, String text) {
        files.put(key, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized long size(String key) {
        byte[] data = files.get(key);
        return data == null ? -1 : data.length;
    }

    @Override
    public synchronized InputStream open(String key, long offset) {
        byte[] data = files.get(key);
        if (data == null) {
            throw new IllegalStateException("no device-list file " + key);
        }
        opens++;
        return new ByteArrayInputStream(Arrays.copyOfRange(data, (int) Math.min(offset, data.length), data.length));
    }

    /** Ranged reads so far. */
    public synchronized int opens() {
        return opens;
    }
}
