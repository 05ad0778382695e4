package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one place the local stack's MQTT clients read a broker URL: what it takes and what it refuses. */
class MqttClientsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @Test
    void aPlainUrlGivesItsHostPortAndTimeouts() {
        MqttClientTransportConfig transport = MqttClients.transport("tcp://127.0.0.1:1883", TIMEOUT, null);

        assertThat(transport.getServerAddress().getHostString()).isEqualTo("127.0.0.1");
        assertThat(transport.getServerAddress().getPort()).isEqualTo(1883);
        assertThat(transport.getSocketConnectTimeoutMs()).isEqualTo(3_000);
        assertThat(transport.getMqttConnectTimeoutMs()).isEqualTo(3_000);
        assertThat(transport.getSslConfig()).isEmpty();
    }

    @Test
    void refusesWhatIsNotAnMqttUrlOrMismatchesItsTls() {
        MqttClientSslConfig tls = MqttClientSslConfig.builder().build();

        assertThatThrownBy(() -> MqttClients.transport("http://127.0.0.1:1883", TIMEOUT, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an MQTT URL");
        assertThatThrownBy(() -> MqttClients.transport("tcp://127.0.0.1", TIMEOUT, null))
                .as("no port")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqttClients.transport("ssl://127.0.0.1:8883", TIMEOUT, null))
                .hasMessageContaining("needs a TLS configuration");
        assertThatThrownBy(() -> MqttClients.transport("tcp://127.0.0.1:1883", TIMEOUT, tls))
                .hasMessageContaining("TLS over a tcp:// URL");
        assertThat(MqttClients.transport("ssl://127.0.0.1:8883", TIMEOUT, tls).getSslConfig())
                .isPresent();
    }
}
