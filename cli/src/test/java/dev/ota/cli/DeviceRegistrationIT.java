package dev.ota.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.standin.MotoServer;
import dev.ota.local.standin.StandInClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CertificateStatus;
import software.amazon.awssdk.services.iot.model.Policy;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;

/**
 * {@code ota device register|deregister} against moto's AWS IoT control plane: thing, attributes,
 * certificate, policy, exclusive attachment, files; idempotent; undone completely.
 */
class DeviceRegistrationIT {

    private static final String POLICY = "ota-backend-device";
    private static MotoServer moto;
    private static IotClient iot;

    @TempDir
    Path dir;

    @BeforeAll
    static void startMoto() {
        moto = new MotoServer().start();
        iot = StandInClients.iot(moto.endpoint());
        iot.createPolicy(
                r -> r.policyName(POLICY)
                        .policyDocument(
                                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}"));
    }

    @AfterAll
    static void stopMoto() {
        if (iot != null) {
            iot.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    private CliRun ota(String... args) {
        List<String> all = new ArrayList<>(List.of("--region", "us-east-1", "--output", "json"));
        all.addAll(List.of(args));
        return CliRun.run(
                Map.of("OTA_IOT_ENDPOINT", moto.endpoint().toString()), CliRun.LOCAL, all.toArray(String[]::new));
    }

    @Test
    void registersTheThingTheCertificateAndThePolicyAndWritesTheFiles() throws Exception {
        Path ca = Files.writeString(
                dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nlocal\n-----END CERTIFICATE-----\n");

        CliRun run = ota(
                "device",
                "register",
                "--product",
                "P1",
                "--device",
                "sensor.7@lab",
                "--out",
                dir.toString(),
                "--root-ca",
                ca.toString(),
                "--mqtt-endpoint",
                "127.0.0.1:8883");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode r = run.json();
        String thing = "P1::sensor:d7:alab";
        assertThat(r.path("thingName").asText()).isEqualTo(thing);
        assertThat(r.path("clientId").asText()).isEqualTo(thing);
        assertThat(r.path("created").path("certificate").asBoolean()).isTrue();
        assertThat(r.path("mqtt").path("host").asText()).isEqualTo("127.0.0.1");
        assertThat(r.path("mqtt").path("port").asInt()).isEqualTo(8883);
        assertThat(r.path("topics").path("report").asText()).isEqualTo("ota/report/P1/sensor.7@lab");

        assertThat(iot.describeThing(d -> d.thingName(thing)).attributes())
                .containsEntry("productId", "P1")
                .containsEntry("deviceName", "sensor.7@lab");
        String cert = r.path("certificateArn").asText();
        assertThat(iot.listThingPrincipals(l -> l.thingName(thing)).principals())
                .containsExactly(cert);
        assertThat(iot.describeCertificate(
                                d -> d.certificateId(r.path("certificateId").asText()))
                        .certificateDescription()
                        .status())
                .isEqualTo(CertificateStatus.ACTIVE);
        assertThat(iot.listAttachedPolicies(l -> l.target(cert)).policies())
                .extracting(Policy::policyName)
                .containsExactly(POLICY);

        Path folder = dir.resolve(thing);
        assertThat(Files.readString(folder.resolve("certificate.pem.crt"))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(folder.resolve("private.pem.key"))).contains("PRIVATE KEY");
        assertThat(Files.getPosixFilePermissions(folder.resolve("private.pem.key")))
                .hasSize(2);
        assertThat(Files.readString(folder.resolve("root-ca.pem"))).contains("local");
        assertThat(Api.JSON
                        .readTree(folder.resolve("settings.json").toFile())
                        .path("clientId")
                        .asText())
                .isEqualTo(thing);
    }

    @Test
    void registeringAgainKeepsTheCertificateAndChangesNothing() throws Exception {
        JsonNode first = ota(
                        "device",
                        "register",
                        "--product",
                        "P2",
                        "--device",
                        "d1",
                        "--out",
                        dir.toString(),
                        "--mqtt-endpoint",
                        "h:1")
                .json();
        String key = Files.readString(dir.resolve("P2::d1/private.pem.key"));

        CliRun again = ota(
                "device",
                "register",
                "--product",
                "P2",
                "--device",
                "d1",
                "--out",
                dir.toString(),
                "--mqtt-endpoint",
                "h:1");

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.json().path("certificateId").asText())
                .isEqualTo(first.path("certificateId").asText());
        assertThat(again.json().path("created").path("thing").asBoolean()).isFalse();
        assertThat(again.json().path("created").path("certificate").asBoolean()).isFalse();
        assertThat(Files.readString(dir.resolve("P2::d1/private.pem.key"))).isEqualTo(key);
        assertThat(iot.listThingPrincipals(l -> l.thingName("P2::d1")).principals())
                .hasSize(1);
        assertThat(iot.listAttachedPolicies(
                                l -> l.target(first.path("certificateArn").asText()))
                        .policies())
                .hasSize(1);
    }

    @Test
    void deregisterUndoesItAllAndIsIdempotent() {
        JsonNode registered = ota(
                        "device",
                        "register",
                        "--product",
                        "P3",
                        "--device",
                        "d1",
                        "--out",
                        dir.toString(),
                        "--mqtt-endpoint",
                        "h:1")
                .json();

        CliRun removed = ota("device", "deregister", "--product", "P3", "--device", "d1");
        CliRun again = ota("device", "deregister", "--product", "P3", "--device", "d1");

        assertThat(removed.exitCode()).as(removed.toString()).isZero();
        assertThat(removed.json().path("certificatesDeleted").get(0).asText())
                .isEqualTo(registered.path("certificateId").asText());
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.json().path("thingDeleted").asBoolean()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> iot.describeThing(d -> d.thingName("P3::d1")))
                .isInstanceOf(ResourceNotFoundException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> iot.describeCertificate(
                        d -> d.certificateId(registered.path("certificateId").asText())))
                .isInstanceOf(ResourceNotFoundException.class);
        // Registered again: a new certificate.
        JsonNode back = ota(
                        "device",
                        "register",
                        "--product",
                        "P3",
                        "--device",
                        "d1",
                        "--out",
                        dir.toString(),
                        "--mqtt-endpoint",
                        "h:1")
                .json();
        assertThat(back.path("certificateId").asText())
                .isNotEqualTo(registered.path("certificateId").asText());
    }

    @Test
    void aThingOfThatNameThatIsAnotherDevicesIsNeverReused() {
        iot.createThing(r -> r.thingName("P4::d1")
                .attributePayload(a -> a.attributes(Map.of("productId", "P4", "deviceName", "other"))));

        CliRun run = ota(
                "device",
                "register",
                "--product",
                "P4",
                "--device",
                "d1",
                "--out",
                dir.toString(),
                "--mqtt-endpoint",
                "h:1");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err()).contains("thing P4::d1 exists with attributes");
        assertThat(iot.listThingPrincipals(l -> l.thingName("P4::d1")).principals())
                .isEmpty();
    }

    @Test
    void aMissingPolicyIsAConfigurationError() {
        CliRun run = ota(
                "device",
                "register",
                "--product",
                "P5",
                "--device",
                "d1",
                "--out",
                dir.toString(),
                "--policy",
                "nope",
                "--mqtt-endpoint",
                "h:1");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err()).contains("nope");
    }

    @Test
    void refusesANameTheProtocolDoesNotAllow() {
        CliRun run = ota("device", "register", "--product", "P6", "--device", "a/b", "--out", dir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("deviceName has characters outside");
    }
}
