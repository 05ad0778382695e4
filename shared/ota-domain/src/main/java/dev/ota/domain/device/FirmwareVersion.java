package dev.ota.domain.device;

import dev.ota.domain.InvalidMessageException;
import java.util.regex.Pattern;

/** Version strings as Tencent limits them: 1–32 printable characters. */
public final class FirmwareVersion {
    public static final int MAX_LENGTH = 32;

    private FirmwareVersion() {}

    public static String require(String field, String version) {
        if (version == null || version.isEmpty()) {
            throw new InvalidMessageException(field + " is missing");
        }
        if (version.length() > MAX_LENGTH) {
            throw new InvalidMessageException(field + " is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < version.length(); i++) {
            char c = version.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new InvalidMessageException(field + " must be printable ASCII without spaces");
            }
        }
        return version;
    }

    /**
     * A version a firmware is stored under: {@link #require}, and a path segment of its S3 key
     * ({@code firmware/{productId}/{version}/{file}}) that means itself: only [A-Za-z0-9._+~-], and
     * not made of dots alone ('.' and '..' are the current and parent folder to every URL and path
     * resolver, so {@code firmware/p/../firmware.bin} names another object).
     */
    public static String requireStorable(String field, String version) {
        require(field, version);
        if (!STORABLE.matcher(version).matches()) {
            throw new InvalidMessageException(field + " may only hold [A-Za-z0-9._+~-]");
        }
        if (version.chars().allMatch(c -> c == '.')) {
            throw new InvalidMessageException(field + " must not be made of dots alone");
        }
        return version;
    }

    private static final Pattern STORABLE = Pattern.compile("[A-Za-z0-9._+~-]+");
}
