package dev.ota.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where devices download a firmware object from: a copy at the bucket's top level, named
 * {@code download-{md5sum}-{16 hex digits of SHA-256(upload key)}}, with no '/' in it.
 *
 * <p>Why a copy: Tencent's Python device SDK (tencent-iot-device 1.0.0, {@code Ota.http_init})
 * sends as its HTTP {@code Host} header everything between {@code http(s)://} and the URL's
 * <em>last</em> '/'. It only works when the URL's path is a single segment, as Tencent's own COS
 * URLs are. A presigned URL for {@code firmware/{productId}/{version}/{file}} made it send
 * {@code Host: bucket.s3.../firmware/p/1.1.0}, and S3 refuses the signature (403). A
 * virtual-hosted-style presigned URL of a key without '/' has the path {@code /{key}}.
 *
 * <p>The md5sum is in the name so that different bytes under the same upload key never replace
 * the copy devices are downloading; the upload key's hash keeps two uploads of the same bytes apart.
 */
public final class DownloadKey {

    public static final String PREFIX = "download-";

    private DownloadKey() {}

    public static String of(String uploadKey, String md5sum) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(uploadKey.getBytes(StandardCharsets.UTF_8));
            return PREFIX + md5sum + "-" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
