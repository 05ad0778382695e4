package dev.ota.digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * MD5 and SHA-256 of a firmware image in one streaming pass: memory stays at one buffer however
 * large the image. MD5 is what the Tencent protocol carries; SHA-256 is kept for operators and
 * for stronger checks later.
 */
public final class FirmwareDigests {

    private static final int BUFFER = 64 * 1024;

    private FirmwareDigests() {}

    public record Digests(long size, String md5, String sha256) {}

    public static Digests of(InputStream in) {
        MessageDigest md5 = newDigest("MD5");
        MessageDigest sha256 = newDigest("SHA-256");
        byte[] buffer = new byte[BUFFER];
        long size = 0;
        try (in) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                md5.update(buffer, 0, n);
                sha256.update(buffer, 0, n);
                size += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Digests(size, hex(md5.digest()), hex(sha256.digest()));
    }

    public static String md5Hex(byte[] bytes) {
        return hex(newDigest("MD5").digest(bytes));
    }

    /** Lowercase, as the device SDKs compare md5sum case-sensitively. */
    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** Accepts an operator's md5sum in either case and returns it in the protocol's lowercase. */
    public static String normaliseMd5(String md5) {
        if (md5 == null || !md5.matches("[0-9a-fA-F]{32}")) {
            throw new IllegalArgumentException("md5sum must be 32 hex digits");
        }
        return md5.toLowerCase(Locale.ROOT);
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by the JDK", e);
        }
    }
}
