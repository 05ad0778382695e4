package dev.ota.local.device;

import java.io.ByteArrayOutputStream;

/**
 * What a device keeps of a download across an interruption, keyed as the newer C SDK keys it
 * (version, md5sum and file_size must all match to resume).
 */
public final class DownloadCheckpoint {
    private final String version;
    private final String md5;
    private final long size;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    public DownloadCheckpoint(String version, String md5, long size) {
        this.version = version;
        this.md5 = md5;
        this.size = size;
    }

    public boolean sameFirmware(String v, String m, long s) {
        return version.equals(v) && md5.equals(m) && size == s;
    }

    /** Bytes held: where the next Range starts. */
    public long length() {
        return bytes.size();
    }

    public int percent() {
        return size == 0 ? 100 : (int) (bytes.size() * 100 / size);
    }

    public void append(byte[] more) {
        bytes.writeBytes(more);
    }

    public byte[] bytes() {
        return bytes.toByteArray();
    }
}
