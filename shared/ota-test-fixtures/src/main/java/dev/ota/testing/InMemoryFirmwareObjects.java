package dev.ota.testing;

import dev.ota.port.out.FirmwareObjects;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Objects by key; remembers whether every stream it handed out was closed. */
public final class InMemoryFirmwareObjects implements FirmwareObjects {

    private final Map<String, byte[]> objects = new HashMap<>();
    private final List<String> published = new ArrayList<>();
    private int opened;
    private int closed;

    public void put(String key, byte[] bytes) {
        objects.put(key, bytes.clone());
    }

    @Override
    public InputStream open(String key) {
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            throw new UncheckedIOException(new IOException("no object " + key));
        }
        opened++;
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public void close() throws IOException {
                closed++;
                super.close();
            }
        };
    }

    @Override
    public void publishForDownload(String key, String md5sum) {
        if (!objects.containsKey(key)) {
            throw new UncheckedIOException(new IOException("no object " + key));
        }
        published.add(key + "#" + md5sum);
    }

    /** "key#md5sum" of every publishForDownload call, in order. */
    public List<String> published() {
        return published;
    }

    public int opened() {
        return opened;
    }

    public int closed() {
        return closed;
    }
}
