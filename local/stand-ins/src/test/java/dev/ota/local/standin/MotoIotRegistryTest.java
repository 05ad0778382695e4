package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CertificateStatus;
import software.amazon.awssdk.services.iot.model.CreateKeysAndCertificateResponse;
import software.amazon.awssdk.services.iot.model.Policy;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;

/**
 * The IoT registry on moto_server as MotoServer starts it: things, certificates and a principal's
 * attachments are looked up by key (moto_server_main.py), where moto scanned them all. What the
 * broker's identity wall and enrolment rely on must hold as before: a thing and a certificate
 * found by name and id, a thing's principals and a principal's things and policies as attached and
 * detached, in attachment order, and unknown names refused as moto refuses them.
 */
class MotoIotRegistryTest {

    private static final String POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";

    private static MotoServer moto;
    private static IotClient iot;

    @BeforeAll
    static void start() {
        moto = new MotoServer().start();
        iot = StandInClients.iot(moto.endpoint());
    }

    @AfterAll
    static void stop() {
        iot.close();
        moto.close();
    }

    @BeforeEach
    void reset() {
        moto.reset();
        iot.createPolicy(r -> r.policyName("p").policyDocument(POLICY));
        iot.createPolicy(r -> r.policyName("q").policyDocument(POLICY));
    }

    @Test
    void aDeviceIsFoundByItsThingItsCertificateAndItsAttachments() {
        String other = device("dev-0").certificateArn();
        CreateKeysAndCertificateResponse cert = device("dev-1");
        device("dev-2");

        assertThat(iot.describeThing(r -> r.thingName("dev-1")).thingName()).isEqualTo("dev-1");
        assertThat(iot.listThingPrincipals(r -> r.thingName("dev-1")).principals())
                .containsExactly(cert.certificateArn());
        assertThat(iot.listPrincipalThings(r -> r.principal(cert.certificateArn()))
                        .things())
                .containsExactly("dev-1");
        var description = iot.describeCertificate(r -> r.certificateId(cert.certificateId()))
                .certificateDescription();
        assertThat(description.certificateArn()).isEqualTo(cert.certificateArn());
        assertThat(description.status()).isEqualTo(CertificateStatus.ACTIVE);
        assertThat(policies(cert.certificateArn())).containsExactly("p");
        assertThat(policies(other)).containsExactly("p");
    }

    @Test
    void attachmentsFollowAttachAndDetachInTheirOrder() {
        String cert = device("dev-1").certificateArn();
        iot.attachPolicy(r -> r.policyName("q").target(cert));
        assertThat(policies(cert)).containsExactly("p", "q");
        iot.detachPolicy(r -> r.policyName("p").target(cert));
        iot.attachPolicy(r -> r.policyName("p").target(cert));
        assertThat(policies(cert)).containsExactly("q", "p");

        iot.detachThingPrincipal(r -> r.thingName("dev-1").principal(cert));
        assertThat(iot.listThingPrincipals(r -> r.thingName("dev-1")).principals())
                .isEmpty();
        assertThat(iot.listPrincipalThings(r -> r.principal(cert)).things()).isEmpty();
        iot.createThing(r -> r.thingName("dev-9"));
        iot.attachThingPrincipal(r -> r.thingName("dev-9").principal(cert));
        assertThat(iot.listPrincipalThings(r -> r.principal(cert)).things()).containsExactly("dev-9");
        assertThat(iot.listThingPrincipals(r -> r.thingName("dev-9")).principals())
                .containsExactly(cert);
    }

    @Test
    void unknownThingsCertificatesAndPrincipalsAreRefused() {
        String cert = device("dev-1").certificateArn();
        String unknownCert = cert.substring(0, cert.lastIndexOf('/') + 1) + "0".repeat(64);
        assertThatThrownBy(() -> iot.describeThing(r -> r.thingName("ghost")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> iot.listThingPrincipals(r -> r.thingName("ghost")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("thing ghost");
        assertThatThrownBy(() -> iot.describeCertificate(r -> r.certificateId("0".repeat(64))))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> iot.attachPolicy(r -> r.policyName("p").target(unknownCert)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(iot.listAttachedPolicies(r -> r.target(unknownCert)).policies())
                .isEmpty();
    }

    private static CreateKeysAndCertificateResponse device(String name) {
        iot.createThing(r -> r.thingName(name));
        CreateKeysAndCertificateResponse cert = iot.createKeysAndCertificate(r -> r.setAsActive(true));
        iot.attachPolicy(r -> r.policyName("p").target(cert.certificateArn()));
        iot.attachThingPrincipal(r -> r.thingName(name).principal(cert.certificateArn()));
        return cert;
    }

    private static java.util.List<String> policies(String principal) {
        return iot.listAttachedPolicies(r -> r.target(principal)).policies().stream()
                .map(Policy::policyName)
                .toList();
    }
}
