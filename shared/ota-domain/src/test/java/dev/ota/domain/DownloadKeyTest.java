package dev.ota.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DownloadKeyTest {

    private static final String MD5 = "5d41402abc4b2a76b9719d911017c592";

    @Test
    void isOneSegmentAtTheTopOfTheBucket() {
        String key = DownloadKey.of("firmware/p1/1.2.0/fw.bin", MD5);

        assertThat(key)
                .doesNotContain("/")
                .startsWith("download-" + MD5 + "-")
                .hasSize("download-".length() + 32 + 1 + 16);
        assertThat(DownloadKey.of("firmware/p1/1.2.0/fw.bin", MD5)).isEqualTo(key);
        assertThat(DownloadKey.of("firmware/p1/1.2.1/fw.bin", MD5)).isNotEqualTo(key);
        assertThat(DownloadKey.of("firmware/p1/1.2.0/fw.bin", "00000000000000000000000000000000"))
                .isNotEqualTo(key);
    }
}
