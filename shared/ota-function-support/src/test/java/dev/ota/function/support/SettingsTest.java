package dev.ota.function.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.device.DeviceProfile;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static Map<String, String> required() {
        Map<String, String> env = new HashMap<>();
        env.put("DEVICES_TABLE", "devices");
        env.put("JOBS_TABLE", "jobs");
        env.put("EXECUTIONS_TABLE", "executions");
        env.put("FIRMWARE_TABLE", "firmware");
        env.put("FIRMWARE_BUCKET", "bucket");
        return env;
    }

    @Test
    void defaults() {
        Settings s = Settings.from(required());

        assertThat(s)
                .isEqualTo(new Settings(
                        "devices",
                        "jobs",
                        "executions",
                        "firmware",
                        "bucket",
                        null,
                        "ota/update/{productId}/{deviceName}",
                        Duration.ofHours(1),
                        new DownloadSettings(
                                DownloadSettings.S3_PRESIGNED, "http", null, null, null, DeviceProfile.CAPABLE)));
    }

    @Test
    void overrides() {
        Map<String, String> env = required();
        env.put("IOT_DATA_ENDPOINT", "https://abc-ats.iot.us-east-1.amazonaws.com");
        env.put("UPDATE_TOPIC_TEMPLATE", "$ota/update/{productId}/{deviceName}");
        env.put("URL_EXPIRY_SECONDS", "600");

        Settings s = Settings.from(env);

        assertThat(s.iotDataEndpoint()).isEqualTo("https://abc-ats.iot.us-east-1.amazonaws.com");
        assertThat(s.updateTopicTemplate()).isEqualTo("$ota/update/{productId}/{deviceName}");
        assertThat(s.urlExpiry()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void blankOptionalValuesFallBackToDefaults() {
        Map<String, String> env = required();
        env.put("UPDATE_TOPIC_TEMPLATE", " ");
        env.put("URL_EXPIRY_SECONDS", "");

        Settings s = Settings.from(env);

        assertThat(s.updateTopicTemplate()).isEqualTo("ota/update/{productId}/{deviceName}");
        assertThat(s.urlExpiry()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void eachRequiredValueIsRequired() {
        for (String name : required().keySet()) {
            Map<String, String> env = required();
            env.put(name, "  ");
            assertThatThrownBy(() -> Settings.from(env))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("environment variable " + name + " is not set");
            env.remove(name);
            assertThatThrownBy(() -> Settings.from(env))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("environment variable " + name + " is not set");
        }
    }
}
