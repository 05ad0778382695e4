package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Presigning is local work: no S3 needs to run for these. */
class BucketHostPresignerTest {

    private static final URI S3 = URI.create("http://127.0.0.1:9000");
    private static final URI BUCKET_HOST = URI.create("http://127.0.0.1:9001");

    private static S3Presigner presigner;

    @BeforeAll
    static void create() {
        presigner = new BucketHostPresigner(StandInClients.s3Presigner(S3), "firmware", BUCKET_HOST);
    }

    @AfterAll
    static void close() {
        presigner.close();
    }

    @Test
    void aGetInTheBucketPointsAtTheBucketsOwnEndpoint() throws Exception {
        URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .getObjectRequest(r -> r.bucket("firmware").key("p1/1.0.0/fw.bin"))).url().toURI();

        assertThat(url.getScheme() + "://" + url.getRawAuthority()).isEqualTo(BUCKET_HOST.toString());
        assertThat(url.getRawPath()).isEqualTo("/p1/1.0.0/fw.bin");
        assertThat(url.getRawQuery()).contains("X-Amz-Signature=", "X-Amz-Credential=local%2F");
    }

    @Test
    void aGetInAnotherBucketStaysPathStyle() throws Exception {
        URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .getObjectRequest(r -> r.bucket("other").key("k.bin"))).url().toURI();

        assertThat(url.getPort()).isEqualTo(S3.getPort());
        assertThat(url.getRawPath()).isEqualTo("/other/k.bin");
    }

    @Test
    void otherOperationsAreThePathStylePresignersOwn() throws Exception {
        URI url = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                .putObjectRequest(r -> r.bucket("firmware").key("k.bin"))).url().toURI();

        assertThat(url.getPort()).isEqualTo(S3.getPort());
        assertThat(url.getRawPath()).isEqualTo("/firmware/k.bin");
    }

    @Test
    void servedMovesAPathStyleUrlOfTheBucketAndKeepsItsEncodingAndQuery() {
        URI pathStyle = URI.create("http://127.0.0.1:9000/firmware/p1/my%20fw.bin?X-Amz-Date=20250101T000000Z&X-Amz-Signature=ab%2Fcd");

        assertThat(BucketHostPresigner.served(pathStyle, "firmware", BUCKET_HOST))
                .isEqualTo(URI.create("http://127.0.0.1:9001/p1/my%20fw.bin?X-Amz-Date=20250101T000000Z&X-Amz-Signature=ab%2Fcd"));
    }

    @Test
    void servedLeavesAUrlOutsideTheBucketAlone() {
        URI elsewhere = URI.create("http://127.0.0.1:9000/firmware-other/k.bin?X-Amz-Signature=1");

        assertThat(BucketHostPresigner.served(elsewhere, "firmware", BUCKET_HOST)).isEqualTo(elsewhere);
    }
}
