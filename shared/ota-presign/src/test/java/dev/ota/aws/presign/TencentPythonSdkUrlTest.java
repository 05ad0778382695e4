package dev.ota.aws.presign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.DownloadKey;
import dev.ota.domain.FirmwareRef;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

class TencentPythonSdkUrlTest {

    private static final String MD5 = "5d41402abc4b2a76b9719d911017c592";

    /**
     * What Tencent's Python SDK does with the URL (hub/services/ota/ota.py, __ota_info_get): its
     * Host header is the text between the scheme and the last '/'. On AWS (virtual-hosted style,
     * temporary credentials) that must be exactly the URL's host.
     */
    @Test
    void aMintedAwsUrlGivesTheTencentPythonSdkTheRightHostHeader() {
        PresignConfig config = PresignConfig.of(
                Region.EU_WEST_1,
                StaticCredentialsProvider.create(AwsSessionCredentials.create(
                        "ASIAEXAMPLE", "secret", "IQoJb3JpZ2luX2VjE/token+with/slashes==")));
        String url = new SigV4DownloadUrlMinter(config, "ota-firmware-123456789012-abc", Duration.ofHours(1))
                .mint(new FirmwareRef("1.2.0", "firmware/p1/1.2.0/fw.bin", 5, MD5));

        String sdkHost = url.substring("https://".length(), url.lastIndexOf('/'));
        assertThat(sdkHost)
                .isEqualTo(URI.create(url).getAuthority())
                .isEqualTo("ota-firmware-123456789012-abc.s3.eu-west-1.amazonaws.com");
        assertThat(URI.create(url).getPath()).isEqualTo("/" + DownloadKey.of("firmware/p1/1.2.0/fw.bin", MD5));
    }
}
