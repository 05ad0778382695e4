package dev.ota.port;

import java.io.InputStream;

/** Firmware image bytes, read as a stream so that any size fits in bounded memory. */
public interface FirmwareObjects {
    InputStream open(String key);
}
