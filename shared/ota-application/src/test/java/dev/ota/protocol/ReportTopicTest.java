package dev.ota.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.domain.InvalidMessageException;
import dev.ota.domain.device.DeviceId;
import org.junit.jupiter.api.Test;

class ReportTopicTest {

    @Test
    void theDefaultIsTheFourLevelTopic() {
        ReportTopic topic = ReportTopic.defaults();

        assertThat(topic.filter()).isEqualTo("ota/report/+/+");
        assertThat(topic.deviceOf("ota/report/P1/dev-1")).isEqualTo(new DeviceId("P1", "dev-1"));
        assertThat(topic.topicOf(new DeviceId("P1", "dev-1"))).isEqualTo("ota/report/P1/dev-1");
    }

    @Test
    void namesMayBeAtAnyLevelInAnyOrder() {
        ReportTopic topic = ReportTopic.of("fleet/{deviceName}/ota/{productId}/up", null);

        assertThat(topic.filter()).isEqualTo("fleet/+/ota/+/up");
        assertThat(topic.deviceOf("fleet/dev-7/ota/P2/up")).isEqualTo(new DeviceId("P2", "dev-7"));
    }

    @Test
    void aSingleProductFleetNamesItsProduct() {
        ReportTopic topic = ReportTopic.of("things/{deviceName}/ota", "ACME");

        assertThat(topic.filter()).isEqualTo("things/+/ota");
        assertThat(topic.deviceOf("things/boiler-3/ota")).isEqualTo(new DeviceId("ACME", "boiler-3"));
    }

    @Test
    void aTopicOfAnotherShapeIsRejected() {
        ReportTopic topic = ReportTopic.defaults();

        assertThatThrownBy(() -> topic.deviceOf("ota/report/P1"))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> topic.deviceOf("ota/other/P1/d")).isInstanceOf(InvalidMessageException.class);
        assertThatThrownBy(() -> topic.deviceOf("ota/report/P1/bad name")).isInstanceOf(InvalidMessageException.class);
    }

    @Test
    void badTemplatesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ReportTopic.of("ota/report/+/{deviceName}", null))
                .hasMessageContaining("no wildcard");
        assertThatThrownBy(() -> ReportTopic.of("ota/report/{productId}", null))
                .hasMessageContaining("{deviceName} exactly once");
        assertThatThrownBy(() -> ReportTopic.of("ota/{deviceName}", null)).hasMessageContaining("ReportProductId");
        assertThatThrownBy(() -> ReportTopic.of("ota/{productId}/{deviceName}", "P1"))
                .hasMessageContaining("contradict");
        assertThatThrownBy(() -> ReportTopic.of("ota/x{deviceName}", null)).hasMessageContaining("level");
    }
}
