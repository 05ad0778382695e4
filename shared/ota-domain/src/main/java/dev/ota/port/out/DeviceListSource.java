package dev.ota.port.out;

import java.io.InputStream;

/** Device-list files (one device name per line), read as streams from any byte offset. */
public interface DeviceListSource {

    /** For an engine that rolls out only inline device lists (the update-devices function has no S3 client): there are no files. */
    DeviceListSource NONE = new DeviceListSource() {
        @Override
        public long size(String key) {
            return -1;
        }

        @Override
        public InputStream open(String key, long offset) {
            throw new IllegalStateException("no device-list files here: " + key);
        }
    };

    /** The file's size in bytes, or -1 when there is no such file. */
    long size(String key);

    /** The file from {@code offset} on; the caller closes it (early, without reading the rest). */
    InputStream open(String key, long offset);
}
