package dev.ota.aws.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.domain.OperatorException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Opaque page tokens: the key of the last item returned, as base64url JSON. Only string and
 * number key attributes, and only the names the listing expects, are accepted back.
 */
public final class PageTokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKEN = 2048;

    private PageTokens() {}

    public static String encode(Map<String, AttributeValue> key, List<String> names) {
        ObjectNode node = JSON.createObjectNode();
        for (String name : names) {
            var value = key.get(name);
            if (value == null) {
                throw new IllegalStateException("page key lacks " + name);
            }
            if (value.s() != null) {
                node.put(name, value.s());
            } else if (value.n() != null) {
                node.put(name, new BigDecimal(value.n()));
            } else {
                throw new IllegalStateException("page key " + name + " is neither S nor N");
            }
        }
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @return null for no token; throws OperatorException INVALID_REQUEST for one that is not ours */
    public static Map<String, AttributeValue> decode(String token, List<String> names) {
        if (token == null) {
            return null;
        }
        if (token.isEmpty() || token.length() > MAX_TOKEN) {
            throw invalid();
        }
        JsonNode node;
        try {
            node = JSON.readTree(Base64.getUrlDecoder().decode(token));
        } catch (IllegalArgumentException | IOException e) {
            throw invalid();
        }
        if (node == null || !node.isObject() || node.size() != names.size()) {
            throw invalid();
        }
        Map<String, AttributeValue> key = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!names.contains(field.getKey())) {
                throw invalid();
            }
            JsonNode value = field.getValue();
            if (value.isTextual() && !value.textValue().isEmpty()) {
                key.put(field.getKey(), AttributeValue.fromS(value.textValue()));
            } else if (value.isNumber()) {
                key.put(
                        field.getKey(),
                        AttributeValue.fromN(value.decimalValue().toPlainString()));
            } else {
                throw invalid();
            }
        }
        return key;
    }

    public static OperatorException invalid() {
        return new OperatorException(
                OperatorException.Code.INVALID_REQUEST,
                "nextToken is not valid (it must come from the previous page of the same listing)");
    }
}
