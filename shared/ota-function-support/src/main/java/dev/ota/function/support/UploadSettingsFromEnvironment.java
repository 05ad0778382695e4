package dev.ota.function.support;

import dev.ota.app.firmware.UploadSettings;
import java.time.Duration;
import java.util.Map;

/** The management API's upload settings, from the environment template.yaml sets. */
public final class UploadSettingsFromEnvironment {

    private UploadSettingsFromEnvironment() {}

    public static UploadSettings read() {
        return read(Environment.system());
    }

    public static UploadSettings read(Map<String, String> values) {
        return read(Environment.of(values));
    }

    public static UploadSettings read(Environment env) {
        return new UploadSettings(
                env.number("UPLOAD_MULTIPART_THRESHOLD_MIB", 64) * UploadSettings.MIB,
                env.number("UPLOAD_PART_SIZE_MIB", 16) * UploadSettings.MIB,
                env.seconds("UPLOAD_URL_EXPIRY_SECONDS", Duration.ofHours(1)));
    }
}
