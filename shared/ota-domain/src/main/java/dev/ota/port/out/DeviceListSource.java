package dev.ota.port.out;

import java.io.InputStream;

/** Device-list files (one device name per line), read as streams from any byte offset. */
public interface DeviceListSource {

    /** The file's size in bytes, or -1 when there is no such file. */
    long size(String key);

    /** The file from {@code offset} on; the caller closes it (early, without reading the rest). */
    InputStream open(String key, long offset);
}
