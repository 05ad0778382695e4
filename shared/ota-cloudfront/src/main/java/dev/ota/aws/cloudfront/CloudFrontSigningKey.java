package dev.ota.aws.cloudfront;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The private half of a CloudFront key pair, from the PEM text an operator stores in Secrets
 * Manager (docs/downloads.md). PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, what
 * {@code openssl genpkey} writes), read by the JDK's own {@link KeyFactory}.
 */
public final class CloudFrontSigningKey {

    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private CloudFrontSigningKey() {}

    public static PrivateKey fromPem(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("CloudFront private key is empty");
        }
        if (pem.contains("BEGIN RSA PRIVATE KEY")) {
            throw new IllegalArgumentException("CloudFront private key is PKCS#1 (BEGIN RSA PRIVATE KEY); store it as"
                    + " PKCS#8: openssl pkcs8 -topk8 -nocrypt -in private_key.pem");
        }
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("CloudFront private key is not a PEM PRIVATE KEY block");
        }
        String body = pem.substring(begin + BEGIN.length(), end).replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("CloudFront private key is not an RSA PKCS#8 key: " + e.getMessage(), e);
        }
    }
}
