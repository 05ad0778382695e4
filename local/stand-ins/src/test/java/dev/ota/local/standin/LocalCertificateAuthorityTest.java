package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stand-in for Amazon Root CA 1 and the broker's server certificate: what a device's TLS
 * stack checks (a CA root it trusts, a server certificate the root signed, for the host it dialled)
 * holds, so the devices' TLS settings are the ones they use on AWS, with only the CA file swapped.
 */
class LocalCertificateAuthorityTest {

    private final LocalCertificateAuthority ca = LocalCertificateAuthority.create();

    @Test
    void theRootIsASelfSignedCaValidNow() throws Exception {
        X509Certificate root = ca.root();
        root.verify(root.getPublicKey());
        root.checkValidity(new Date());
        assertThat(root.getSubjectX500Principal()).isEqualTo(root.getIssuerX500Principal());
        assertThat(root.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
        assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
    }

    @Test
    void theServerCertificateIsSignedByTheRootForLocalhostAnd127001AndIsNoCa() throws Exception {
        X509Certificate server = ca.serverCertificate();
        server.verify(ca.root().getPublicKey());
        server.checkValidity(new Date());
        assertThat(server.getIssuerX500Principal()).isEqualTo(ca.root().getSubjectX500Principal());
        assertThat(server.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(server.getSubjectAlternativeNames().stream()
                        .map(n -> String.valueOf(n.get(1)))
                        .toList())
                .containsExactlyInAnyOrder("localhost", "127.0.0.1");
    }

    @Test
    void theServerKeyIsTheServerCertificatesKey() throws Exception {
        Signature sign = Signature.getInstance("SHA256withECDSA");
        sign.initSign(ca.serverKey());
        sign.update("challenge".getBytes(StandardCharsets.US_ASCII));
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance("SHA256withECDSA");
        verify.initVerify(ca.serverCertificate().getPublicKey());
        verify.update("challenge".getBytes(StandardCharsets.US_ASCII));
        assertThat(verify.verify(signature)).isTrue();
    }

    @Test
    void theRootPemIsTheFileDevicesTrust(@TempDir Path dir) throws Exception {
        Path written = ca.writeRootPem(dir.resolve("sub/ca.pem"));
        String pem = Files.readString(written, StandardCharsets.US_ASCII);
        assertThat(pem)
                .startsWith("-----BEGIN CERTIFICATE-----")
                .contains("-----END CERTIFICATE-----")
                .isEqualTo(ca.rootPem());
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        assertThat(parsed).isEqualTo(ca.root());
    }

    @Test
    void everyStackMakesItsOwnRoot() {
        LocalCertificateAuthority other = LocalCertificateAuthority.create();
        assertThat(other.root()).isNotEqualTo(ca.root());
        assertThat(other.root().getPublicKey()).isNotEqualTo(ca.root().getPublicKey());
    }

    /** A client that trusts only the root, with host name verification, completes a handshake with the server certificate. */
    @Test
    void aClientTrustingOnlyTheRootAcceptsTheServerWithHostNameChecks() throws Exception {
        for (String host : List.of("127.0.0.1", "localhost")) {
            assertThat(handshake(host)).as(host).isEqualTo(42);
        }
    }

    private int handshake(String host) throws Exception {
        KeyStore serverKeys = KeyStore.getInstance("PKCS12");
        serverKeys.load(null, null);
        serverKeys.setKeyEntry("server", ca.serverKey(), new char[0], new java.security.cert.Certificate[] {
            ca.serverCertificate(), ca.root()
        });
        javax.net.ssl.KeyManagerFactory kmf =
                javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(serverKeys, new char[0]);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);

        KeyStore roots = KeyStore.getInstance("PKCS12");
        roots.load(null, null);
        roots.setCertificateEntry("root", ca.root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(roots);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);

        try (SSLServerSocket server = (SSLServerSocket) serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.getOutputStream().write(42);
                    s.getOutputStream().flush();
                    s.getInputStream().read();
                } catch (Exception ignored) {
                    // the client's side asserts
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (SSLSocket client =
                    (SSLSocket) clientContext.getSocketFactory().createSocket(host, server.getLocalPort())) {
                SSLParameters parameters = client.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (!host.equals("127.0.0.1")) {
                    parameters.setServerNames(List.of(new SNIHostName(host)));
                }
                client.setSSLParameters(parameters);
                client.setSoTimeout(5000);
                client.startHandshake();
                int read = client.getInputStream().read();
                client.getOutputStream().write(1);
                return read;
            }
        }
    }
}
