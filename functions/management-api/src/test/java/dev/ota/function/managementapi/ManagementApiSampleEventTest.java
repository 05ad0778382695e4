package dev.ota.function.managementapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.testing.SampleEvents;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * events/management-api-list-firmware.json, an API Gateway HTTP API (payload 2.0) event as API
 * Gateway sends it for {@code GET /firmware?productId=DEMOPRODUCT&limit=10} with IAM auth, reaches
 * the list-firmware operation and is answered with a page. The operations are
 * {@link ManagementApiHandlerTest.Fake}'s recorders.
 */
class ManagementApiSampleEventTest {

    private final ManagementApiHandlerTest.Fake fake = new ManagementApiHandlerTest.Fake();
    private final ManagementApiHandler handler =
            new ManagementApiHandler(new ManagementApiWiring(fake.firmware, fake.jobs, null));

    @Test
    void theListFirmwareSampleReachesListFirmwareAndIsAnsweredWithAPage() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        handler.handleRequest(
                new ByteArrayInputStream(SampleEvents.bytes("management-api-list-firmware.json")), out, null);

        JsonNode response = Events.JSON.readTree(out.toByteArray());
        assertThat(response.path("statusCode").asInt()).as(response.toString()).isEqualTo(200);
        assertThat(response.path("headers").path("content-type").asText()).isEqualTo("application/json");
        assertThat(fake.calls).containsExactly("listFirmware");
        assertThat(fake.args).containsExactlyElementsOf(Arrays.asList("DEMOPRODUCT", null, 10));
        JsonNode page = Events.JSON.readTree(response.path("body").asText());
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("nextToken").asText()).isEqualTo("tok");
    }
}
