package dev.ota.local.standin;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local stand-in for the CA behind AWS IoT Core's server certificate (Amazon Root CA 1): a
 * root made at start-up, and the server certificate of the broker's TLS listener it signs, for
 * {@code localhost} and {@code 127.0.0.1}. Devices trust the root ({@link #writeRootPem}) as they
 * trust AmazonRootCA1.pem on AWS. It signs no client certificates: those come from the IoT
 * registry (moto's CreateKeysAndCertificate), as on AWS.
 */
public final class LocalCertificateAuthority {

    private final KeyPair rootKey;
    private final X509Certificate root;
    private final KeyPair serverKey;
    private final X509Certificate server;

    private LocalCertificateAuthority() throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        rootKey = ecKey();
        X500Name rootName = new X500Name("CN=OTA local root CA,O=ota local stack");
        X509v3CertificateBuilder rootBuilder = new JcaX509v3CertificateBuilder(
                        rootName,
                        serial(),
                        Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(Duration.ofDays(3650))),
                        rootName,
                        rootKey.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        root = sign(rootBuilder, rootKey);
        serverKey = ecKey();
        X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(
                        root,
                        serial(),
                        Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(Duration.ofDays(825))),
                        new X500Name("CN=localhost"),
                        serverKey.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(
                        Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                }));
        server = sign(serverBuilder, rootKey);
    }

    public static LocalCertificateAuthority create() {
        try {
            return new LocalCertificateAuthority();
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the local CA", e);
        }
    }

    public X509Certificate root() {
        return root;
    }

    public X509Certificate serverCertificate() {
        return server;
    }

    public PrivateKey serverKey() {
        return serverKey.getPrivate();
    }

    /** The root in PEM, the file devices give their TLS stack as the CA to trust. */
    public String rootPem() {
        return pem(root);
    }

    public Path writeRootPem(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, rootPem(), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A client certificate for {@code commonName}, issued by this CA with a fresh EC key, in PEM: what
     * a fleet's devices present when their certificates are registered with AWS IoT's
     * RegisterCertificateWithoutCA (no RSA key generation in the registry).
     */
    public String issueClientCertificatePem(String commonName) {
        try {
            KeyPair key = ecKey();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            root,
                            serial(),
                            Date.from(now.minus(Duration.ofHours(1))),
                            Date.from(now.plus(Duration.ofDays(825))),
                            new X500Name("CN=" + commonName.replaceAll("[,=+<>#;\\\"]", "_")),
                            key.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            return pem(sign(builder, rootKey));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot issue a client certificate", e);
        }
    }

    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    }
}
