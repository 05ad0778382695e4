package dev.ota.aws.dynamodb;

import dev.ota.app.operator.OperatorException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Page tokens: a query's LastEvaluatedKey (string and number attributes only), as URL-safe base64
 * of {@code name=Svalue} / {@code name=Nvalue} lines. Opaque to clients; a token that does not
 * decode is a bad request, never a server error.
 */
final class PageTokens {
    private PageTokens() {}

    static String encode(Map<String, AttributeValue> key) {
        if (key == null || key.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        key.forEach((name, value) -> sb.append(name).append('=').append(value.n() != null ? "N" + value.n() : "S" + value.s()).append('\n'));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, AttributeValue> decode(String token) {
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            Map<String, AttributeValue> key = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                String name = line.substring(0, eq);
                char type = line.charAt(eq + 1);
                String value = line.substring(eq + 2);
                key.put(name, type == 'N' ? AttributeValue.fromN(value) : AttributeValue.fromS(value));
            }
            return key;
        } catch (RuntimeException e) {
            throw new OperatorException(OperatorException.Code.INVALID_REQUEST, "nextToken is not a token this API handed out");
        }
    }
}
