package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.DynamoDbRolloutStoreTest.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Page tokens alone: no table needed. */
class PageTokensTest {

    private static final List<String> NAMES = List.of("jobId", "productId", "createdAt");
    private static final Map<String, AttributeValue> KEY = Map.of(
            "jobId",
            AttributeValue.fromS("job-1"),
            "productId",
            AttributeValue.fromS("P1"),
            "createdAt",
            AttributeValue.fromN("1760000000123"));

    private static String json(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeyComesBackAsItWent() {
        String token = PageTokens.encode(KEY, NAMES);

        assertThat(token).matches("[A-Za-z0-9_-]+");
        assertThat(PageTokens.decode(token, NAMES)).isEqualTo(KEY);
    }

    @Test
    void onlyTheListingsNamesGoIntoTheToken() {
        Map<String, AttributeValue> withMore = new java.util.HashMap<>(KEY);
        withMore.put("deviceName", AttributeValue.fromS("d"));

        assertThat(PageTokens.decode(PageTokens.encode(withMore, NAMES), NAMES)).isEqualTo(KEY);
        assertThatThrownBy(() -> PageTokens.encode(Map.of("jobId", AttributeValue.fromS("j")), NAMES))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void noTokenIsTheFirstPage() {
        assertThat(PageTokens.decode(null, NAMES)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not base64!", "bm90IGpzb24", "WzFd"})
    void aTokenThatIsNotOursIsAnInvalidRequest(String token) {
        assertInvalid(() -> PageTokens.decode(token, NAMES));
    }

    @Test
    void aTokenWithOtherNamesOrValuesIsAnInvalidRequest() {
        assertInvalid(() -> PageTokens.decode(json("{\"jobId\":\"j\",\"productId\":\"P\"}"), NAMES));
        assertInvalid(() -> PageTokens.decode(json("{\"jobId\":\"j\",\"productId\":\"P\",\"other\":1}"), NAMES));
        assertInvalid(() -> PageTokens.decode(json("{\"jobId\":\"\",\"productId\":\"P\",\"createdAt\":1}"), NAMES));
        assertInvalid(() -> PageTokens.decode(json("{\"jobId\":true,\"productId\":\"P\",\"createdAt\":1}"), NAMES));
        assertInvalid(() -> PageTokens.decode(json("{\"jobId\":{},\"productId\":\"P\",\"createdAt\":1}"), NAMES));
        assertInvalid(() -> PageTokens.decode("A".repeat(2049), NAMES));
    }
}
