package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.stack.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The firmware bucket both ways: the stack's own, and, with {@code ExistingFirmwareBucket}, a bucket
 * of the user's that the stack does not create, whose owner applies the stack's output
 * ExistingBucketNotification. Either way an object put under firmware/ registers itself through
 * the notification (not a direct invocation), the job's update_firmware points into that bucket,
 * and the URL downloads the bytes.
 */
class ExistingFirmwareBucketIT {

    private static final String ESTATE_BUCKET = "plant-firmware-estate";

    @Test
    void theStacksOwnBucketRegistersFirmwareThroughItsNotification() throws Exception {
        LocalStack stack = SharedStack.get();
        assertThat(stack.bucket()).isEqualTo(LocalStack.BUCKET);
        updateThroughTheBucket(stack, "OWNBKT");
    }

    @Test
    void anExistingBucketIsUsedAndNotifiesAsItsOwnerConfiguredIt() throws Exception {
        LocalStack stack = SharedStack.get(Map.of("ExistingFirmwareBucket", ESTATE_BUCKET));
        assertThat(stack.bucket()).isEqualTo(ESTATE_BUCKET);
        updateThroughTheBucket(stack, "ESTATE");
    }

    private static void updateThroughTheBucket(LocalStack stack, String prefix) throws Exception {
        try (JobFixture f = new JobFixture(prefix, stack)) {
            byte[] bytes = SharedStack.firmwareBytes(4096, 42);
            String key = "firmware/" + f.product + "/2.0.0/firmware.bin";
            try (S3Client s3 = stack.aws().s3()) {
                s3.putObject(r -> r.bucket(stack.bucket()).key(key), RequestBody.fromBytes(bytes));
            }
            assertThat(stack.awaitS3Notifications(30_000)).isTrue();
            // Its own object only: the shared stack also carries other tests' injected failures.
            assertThat(stack.s3NotificationFailures())
                    .filteredOn(failure -> failure.key().equals(key))
                    .isEmpty();

            f.reportVersion("dev-1", "1.0.0");
            f.create(f.job("2.0.0").devices(List.of("dev-1")));
            f.tick();

            assertThat(f.updatedDevices()).containsExactly("dev-1");
            JsonNode update = f.updates().get(0);
            String url = update.path("url").asText();
            // The URL is virtual-hosted (its host stands for the bucket): its key is a copy in the bucket in use.
            String copy = URI.create(url).getPath().substring(1);
            try (S3Client s3 = stack.aws().s3()) {
                assertThat(s3.headObject(r -> r.bucket(stack.bucket()).key(copy))
                                .contentLength())
                        .isEqualTo(bytes.length);
            }
            HttpResponse<byte[]> download = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(bytes);
        }
    }
}
