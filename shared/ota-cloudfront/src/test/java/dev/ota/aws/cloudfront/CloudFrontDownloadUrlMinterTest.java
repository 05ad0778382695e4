package dev.ota.aws.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.DownloadKey;
import dev.ota.domain.FirmwareRef;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CloudFrontDownloadUrlMinterTest {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final FirmwareRef FIRMWARE =
            new FirmwareRef("1.1.0", "firmware/p1/1.1.0/fw.bin", 175436, "5d41402abc4b2a76b9719d911017c592");
    static KeyPair keys;

    @BeforeAll
    static void keyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
    }

    static CloudFrontDownloadUrlMinter minter(String scheme, String domain) {
        return new CloudFrontDownloadUrlMinter(
                scheme, domain, "K2JCJMDEHXQW5F", keys.getPrivate(), Duration.ofHours(1), CLOCK);
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            q.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return q;
    }

    @Test
    void aCannedPolicyUrlForTheDownloadCopySignedWithTheKeyPair() throws Exception {
        URI url = URI.create(minter("http", "d111111abcdef8.cloudfront.net").mint(FIRMWARE));

        assertThat(url.getScheme()).isEqualTo("http");
        assertThat(url.getHost()).isEqualTo("d111111abcdef8.cloudfront.net");
        assertThat(url.getPort()).isEqualTo(-1);
        assertThat(url.getPath()).isEqualTo("/" + DownloadKey.of(FIRMWARE.s3Key(), FIRMWARE.md5sum()));
        Map<String, String> q = query(url);
        assertThat(q.keySet()).containsExactly("Expires", "Signature", "Key-Pair-Id");
        assertThat(q.get("Expires"))
                .isEqualTo(String.valueOf(NOW.plusSeconds(3600).getEpochSecond()));
        assertThat(q.get("Key-Pair-Id")).isEqualTo("K2JCJMDEHXQW5F");

        // What CloudFront checks: SHA1withRSA over the canned policy of this URL and expiry.
        String resource = url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath();
        String policy = "{\"Statement\":[{\"Resource\":\"" + resource
                + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + q.get("Expires") + "}}}]}";
        byte[] signature = Base64.getDecoder()
                .decode(q.get("Signature").replace('-', '+').replace('_', '=').replace('~', '/'));
        Signature verifier = Signature.getInstance("SHA1withRSA");
        verifier.initVerify(keys.getPublic());
        verifier.update(policy.getBytes(StandardCharsets.UTF_8));
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void defaultPortsAreLeftOutOtherPortsKept() {
        assertThat(minter("http", "127.0.0.1:80").mint(FIRMWARE)).startsWith("http://127.0.0.1/download-");
        assertThat(minter("https", "ota.example.com:443").mint(FIRMWARE))
                .startsWith("https://ota.example.com/download-");
        assertThat(minter("http", "127.0.0.1:8124").mint(FIRMWARE)).startsWith("http://127.0.0.1:8124/download-");
    }

    @Test
    void eachMintSignsFromTheClockNow() {
        Clock later = Clock.offset(CLOCK, Duration.ofMinutes(10));
        CloudFrontDownloadUrlMinter m = new CloudFrontDownloadUrlMinter(
                "https", "d111111abcdef8.cloudfront.net", "K1", keys.getPrivate(), Duration.ofHours(1), later);
        assertThat(query(URI.create(m.mint(FIRMWARE))).get("Expires"))
                .isEqualTo(String.valueOf(NOW.plusSeconds(600 + 3600).getEpochSecond()));
    }

    @Test
    void badConfigurationIsRefusedAtConstruction() {
        assertThatThrownBy(() -> minter("ftp", "d1.cloudfront.net")).hasMessageContaining("http or https");
        assertThatThrownBy(() -> minter("http", "https://d1.cloudfront.net")).hasMessageContaining("host name");
        assertThatThrownBy(() -> new CloudFrontDownloadUrlMinter(
                        "http", "d1.cloudfront.net", " ", keys.getPrivate(), Duration.ofHours(1), CLOCK))
                .hasMessageContaining("key pair id");
    }

    @Test
    void thePrivateKeyIsReadFromPkcs8Pem() {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        assertThat(CloudFrontSigningKey.fromPem(pem)).isEqualTo(keys.getPrivate());
        assertThatThrownBy(() -> CloudFrontSigningKey.fromPem("-----BEGIN RSA PRIVATE KEY-----\nAA==\n"))
                .hasMessageContaining("PKCS#8");
        assertThatThrownBy(() -> CloudFrontSigningKey.fromPem("")).hasMessageContaining("empty");
        assertThatThrownBy(() ->
                        CloudFrontSigningKey.fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
                .hasMessageContaining("not an RSA PKCS#8 key");
    }
}
