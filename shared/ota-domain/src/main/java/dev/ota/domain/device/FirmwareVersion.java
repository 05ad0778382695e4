package dev.ota.domain.device;

import dev.ota.domain.InvalidMessageException;

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
}
