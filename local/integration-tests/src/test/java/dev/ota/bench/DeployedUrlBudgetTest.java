package dev.ota.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.app.UpdateSender;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.device.DeviceProfile;
import dev.ota.port.out.DownloadUrlMinter;
import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.regions.Region;

/**
 * URLs minted as the deployed stack mints them (DeployedUrls: the template's bucket name, Lambda's
 * session token), judged by the device profiles: CloudFront fits Tencent's C SDK in every case,
 * S3 presigned URLs never do (host over 63, path and query far over the budget) and are for
 * capable devices; their updates are never sent to a c-sdk fleet.
 */
class DeployedUrlBudgetTest {

    private static final String LONGEST_VERSION = "v".repeat(32);

    @ParameterizedTest
    @ValueSource(ints = {1024, 2048})
    void cloudFrontUrlsFitTheCSdkWithRoomToSpare(int keyBits) {
        for (String scheme : new String[] {"http", "https"}) {
            DownloadUrlMinter minter = DeployedUrls.cloudFront(scheme, keyBits);
            FirmwareRef firmware = DeployedUrls.firmware(LONGEST_VERSION);
            String url = minter.mint(firmware);
            URI uri = URI.create(url);
            assertThat(uri.getPort()).isEqualTo(-1);
            assertThat(uri.getHost()).hasSizeLessThanOrEqualTo(DeviceProfile.C_SDK.maxHostLength());
            assertThat(DeviceProfile.C_SDK.urlViolation(url)).as(url).isEmpty();
            assertThat(DeviceProfile.C_SDK.messageViolation(DeployedUrls.messageBytes(minter, firmware)))
                    .isEmpty();
            assertThat(new UpdateSender(minter, (d, m) -> {}, DeviceProfile.C_SDK, null, null, null)
                            .violation(firmware))
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"us-east-1", "eu-west-1", "ap-southeast-2"})
    void s3PresignedUrlsWithASessionTokenCannotReachTheCSdkButFitCapableDevices(String region) {
        DownloadUrlMinter minter = DeployedUrls.s3(Region.of(region), DeployedUrls.TYPICAL_TOKEN);
        FirmwareRef firmware = DeployedUrls.firmware("1.2.3");
        String url = minter.mint(firmware);
        assertThat(url.length()).isGreaterThan(1100);
        assertThat(URI.create(url).getHost()).hasSizeGreaterThan(DeviceProfile.C_SDK.maxHostLength());
        assertThat(DeviceProfile.C_SDK.urlViolation(url)).get().asString().contains("host");
        assertThat(new UpdateSender(minter, (d, m) -> {}, DeviceProfile.C_SDK, null, null, null).violation(firmware))
                .isPresent();
        assertThat(DeviceProfile.CAPABLE.urlViolation(url)).isEmpty();
        assertThat(DeviceProfile.CAPABLE.messageViolation(DeployedUrls.messageBytes(minter, firmware)))
                .isEmpty();
    }
}
