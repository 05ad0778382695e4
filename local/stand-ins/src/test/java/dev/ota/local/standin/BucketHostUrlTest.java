package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The one URL shape: what a device is handed locally is a virtual-hosted URL, with no default port. */
class BucketHostUrlTest {

    private static final URI SIGNED =
            URI.create("http://127.0.0.1:9000/ota-firmware/download-abc?X-Amz-Signature=s%2Bt&X-Amz-Expires=60");

    @Test
    void theKeyIsTheWholePathAndTheQueryIsKeptAsSigned() {
        assertThat(BucketHostEndpoint.served(SIGNED, "ota-firmware", URI.create("http://127.0.0.1:8123")))
                .isEqualTo(URI.create("http://127.0.0.1:8123/download-abc?X-Amz-Signature=s%2Bt&X-Amz-Expires=60"));
    }

    @Test
    void aDefaultPortIsLeftOut() {
        assertThat(BucketHostEndpoint.served(SIGNED, "ota-firmware", URI.create("http://127.0.0.1:80"))
                        .toString())
                .isEqualTo("http://127.0.0.1/download-abc?X-Amz-Signature=s%2Bt&X-Amz-Expires=60");
        assertThat(BucketHostEndpoint.served(SIGNED, "ota-firmware", URI.create("https://127.0.0.1:443"))
                        .toString())
                .startsWith("https://127.0.0.1/download-abc?");
    }

    @Test
    void aUrlOutsideTheBucketIsLeftAlone() {
        URI other = URI.create("http://127.0.0.1:9000/other-bucket/key?X-Amz-Signature=x");
        assertThat(BucketHostEndpoint.served(other, "ota-firmware", URI.create("http://127.0.0.1:8123")))
                .isEqualTo(other);
    }
}
