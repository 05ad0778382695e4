package dev.ota.local.iot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.local.standin.MqttAccessControl;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CertificateDescription;
import software.amazon.awssdk.services.iot.model.CertificateStatus;
import software.amazon.awssdk.services.iot.model.DescribeThingResponse;
import software.amazon.awssdk.services.iot.model.InvalidRequestException;
import software.amazon.awssdk.services.iot.model.Policy;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;

/**
 * The local broker's AWS IoT Core authorizer: identity from the IoT registry (moto), permissions
 * from the IoT policies attached to the device's certificate (the template's device policy, as
 * {@code ota device register} attaches it), evaluated by {@link IotPolicy} on every CONNECT,
 * PUBLISH, SUBSCRIBE and delivery (receive). It knows nothing of OTA topics: the policy says everything.
 *
 * <p>Who a connection is:
 * <ul>
 *   <li>mutual-TLS listener: the certificate the client presented, looked up in the registry by its
 *       fingerprint (SHA-256 of the DER, as AWS names certificates; or of the PEM text, as moto
 *       does); it must be ACTIVE. Its thing is the one attached to it whose name is the client id,
 *       else the only one attached (exclusive attachment). Policies: those attached to it.</li>
 *   <li>plain listener (a local convenience; AWS has no unauthenticated port): the client id is
 *       taken as the proof, as if the client had presented its thing's certificate: the client id
 *       must name a thing with an ACTIVE certificate attached. Policies: those attached to its
 *       ACTIVE certificates.</li>
 * </ul>
 * A connection that names no provisioned thing is refused at CONNECT, so nothing it could publish
 * reaches a rule. Locally, devices may also use Tencent's {@code $ota/...} topics: a topic (or
 * filter) beginning with {@code $} other than {@code $aws/} is evaluated as its twin without the
 * {@code $}, the topic the template's policy names.
 */
public final class DeviceAccess implements MqttAccessControl {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceAccess.class);

    /** The policy variables and policies one accepted connection is evaluated with. */
    public record Connection(
            long connectionId,
            String clientId,
            String thingName,
            String certificateId,
            Map<String, String> variables,
            List<IotPolicy> policies) {}

    /** One refusal, for the logs, tests and the demo's summary. */
    public record Refusal(String action, String clientId, String thingName, String resource, String reason) {}

    /** Counts since start. */
    public record Counts(
            long connectsAccepted,
            long connectsRefused,
            long publishesAllowed,
            long publishesRefused,
            long subscribesAllowed,
            long subscribesRefused) {}

    private final IotClient iot;
    private final String arnPrefix;
    private final ObjectMapper json = new ObjectMapper();
    // The accepted connections by connection id: a PUBLISH or SUBSCRIBE is decided with the policies and
    // variables of the CONNECT of the connection it came on, never of another connection that claims
    // the same client id (a device's reconnect racing its old connection, or anyone else).
    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
    private final LongAdder connectsAccepted = new LongAdder();
    private final LongAdder connectsRefused = new LongAdder();
    private final LongAdder publishesAllowed = new LongAdder();
    private final LongAdder publishesRefused = new LongAdder();
    private final LongAdder subscribesAllowed = new LongAdder();
    private final LongAdder subscribesRefused = new LongAdder();

    /** @param arnPrefix e.g. {@code arn:aws:iot:us-east-1:123456789012:} */
    public DeviceAccess(IotClient iot, String arnPrefix) {
        this.iot = iot;
        this.arnPrefix = arnPrefix;
    }

    @Override
    public String connect(ConnectAttempt attempt) {
        String clientId = attempt.clientId() == null ? "" : attempt.clientId();
        Identity identity;
        try {
            identity = attempt.tls() ? fromCertificate(attempt, clientId) : fromClientId(clientId);
        } catch (Refused r) {
            return refuseConnect(clientId, null, r.getMessage());
        }
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("iot:ClientId", clientId);
        variables.put("iot:Connection.Thing.IsAttached", String.valueOf(identity.thing() != null));
        if (identity.thing() != null) {
            variables.put("iot:Connection.Thing.ThingName", identity.thing().thingName());
            if (identity.thing().thingTypeName() != null) {
                variables.put(
                        "iot:Connection.Thing.ThingTypeName", identity.thing().thingTypeName());
            }
            identity.thing()
                    .attributes()
                    .forEach((k, v) -> variables.put("iot:Connection.Thing.Attributes[" + k + "]", v));
        }
        Connection connection = new Connection(
                attempt.connectionId(),
                clientId,
                identity.thing() == null ? null : identity.thing().thingName(),
                identity.certificateId(),
                Map.copyOf(variables),
                identity.policies());
        String resource = arnPrefix + "client/" + clientId;
        IotPolicy.Decision decision =
                IotPolicy.evaluate(connection.policies(), "iot:Connect", resource, connection.variables());
        if (decision != IotPolicy.Decision.ALLOW) {
            return refuseConnect(clientId, connection.thingName(), "iot:Connect on " + resource + ": " + decision);
        }
        connections.put(attempt.connectionId(), connection);
        connectsAccepted.increment();
        return null;
    }

    @Override
    public boolean publish(long connectionId, String clientId, String topic) {
        boolean allowed = allowed("iot:Publish", connectionId, clientId, "topic/", topic);
        (allowed ? publishesAllowed : publishesRefused).increment();
        return allowed;
    }

    @Override
    public boolean subscribe(long connectionId, String clientId, String topicFilter) {
        boolean allowed = allowed("iot:Subscribe", connectionId, clientId, "topicfilter/", topicFilter)
                // Receive is checked per message on AWS; locally, once, for a filter that names one topic.
                && (topicFilter.contains("+")
                        || topicFilter.contains("#")
                        || allowed("iot:Receive", connectionId, clientId, "topic/", topicFilter));
        (allowed ? subscribesAllowed : subscribesRefused).increment();
        return allowed;
    }

    /** Each delivery, as AWS IoT Core checks {@code iot:Receive} per message. */
    @Override
    public boolean receive(long connectionId, String clientId, String topic) {
        return allowed("iot:Receive", connectionId, clientId, "topic/", topic);
    }

    @Override
    public void disconnected(long connectionId, String clientId) {
        connections.remove(connectionId);
    }

    private boolean allowed(String action, long connectionId, String clientId, String kind, String topic) {
        Connection connection = connections.get(connectionId);
        if (connection == null || !connection.clientId().equals(clientId == null ? "" : clientId)) {
            refuse(action, clientId, null, arnPrefix + kind + topic, "no accepted CONNECT on this connection");
            return false;
        }
        String resource = arnPrefix + kind + topic;
        IotPolicy.Decision decision =
                IotPolicy.evaluate(connection.policies(), action, resource, connection.variables());
        if (decision != IotPolicy.Decision.ALLOW && topic.startsWith("$") && !topic.startsWith("$aws/")) {
            // Tencent's $ota/... twin of the topic the policy names (local only: AWS reserves '$').
            decision = IotPolicy.evaluate(
                    connection.policies(), action, arnPrefix + kind + topic.substring(1), connection.variables());
        }
        if (decision == IotPolicy.Decision.ALLOW) {
            return true;
        }
        refuse(action, clientId, connection.thingName(), resource, decision.name());
        return false;
    }

    private String refuseConnect(String clientId, String thing, String reason) {
        connectsRefused.increment();
        refuse("iot:Connect", clientId, thing, arnPrefix + "client/" + clientId, reason);
        return reason;
    }

    private void refuse(String action, String clientId, String thing, String resource, String reason) {
        Refusal refusal = new Refusal(action, clientId, thing, resource, reason);
        if (refusals.size() < 10_000) {
            refusals.add(refusal);
        }
        LOG.warn(
                "IoT policy refused {} by client '{}' (thing {}) on {}: {}", action, clientId, thing, resource, reason);
    }

    public Counts counts() {
        return new Counts(
                connectsAccepted.sum(),
                connectsRefused.sum(),
                publishesAllowed.sum(),
                publishesRefused.sum(),
                subscribesAllowed.sum(),
                subscribesRefused.sum());
    }

    public List<Refusal> refusals() {
        return List.copyOf(refusals);
    }

    /** The accepted connections a client id holds now (usually one; briefly two while a device reconnects). */
    public List<Connection> connections(String clientId) {
        return connections.values().stream()
                .filter(c -> c.clientId().equals(clientId))
                .toList();
    }

    // ---- identity from the registry ----

    private record Thing(String thingName, String thingTypeName, Map<String, String> attributes) {}

    private record Identity(Thing thing, String certificateId, List<IotPolicy> policies) {}

    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private Identity fromClientId(String clientId) {
        if (clientId.isEmpty()) {
            throw new Refused("no client id, so no thing (the plain listener takes the client id as the thing name)");
        }
        Thing thing = thing(clientId);
        if (thing == null) {
            throw new Refused("client id '" + clientId + "' names no thing: not a provisioned device");
        }
        List<IotPolicy> policies = new ArrayList<>();
        String certificateId = null;
        for (String principal :
                iot.listThingPrincipals(r -> r.thingName(clientId)).principals()) {
            if (!principal.contains(":cert/")) {
                continue;
            }
            String id = principal.substring(principal.lastIndexOf('/') + 1);
            CertificateDescription cert =
                    iot.describeCertificate(r -> r.certificateId(id)).certificateDescription();
            if (cert.status() == CertificateStatus.ACTIVE) {
                certificateId = certificateId == null ? id : certificateId;
                policies.addAll(policies(principal));
            }
        }
        if (certificateId == null) {
            throw new Refused("thing '" + clientId + "' has no ACTIVE certificate: not a provisioned device");
        }
        return new Identity(thing, certificateId, policies);
    }

    private Identity fromCertificate(ConnectAttempt attempt, String clientId) {
        if (attempt.certificates().isEmpty()) {
            throw new Refused("no client certificate");
        }
        X509Certificate presented = attempt.certificates().get(0);
        CertificateDescription cert = registered(presented);
        if (cert == null) {
            throw new Refused("certificate " + sha256Hex(der(presented)) + " is not registered");
        }
        if (cert.status() != CertificateStatus.ACTIVE) {
            throw new Refused("certificate " + cert.certificateId() + " is " + cert.status());
        }
        List<String> things =
                iot.listPrincipalThings(r -> r.principal(cert.certificateArn())).things();
        String thingName = things.contains(clientId) ? clientId : things.size() == 1 ? things.get(0) : null;
        Thing thing = thingName == null ? null : thing(thingName);
        return new Identity(thing, cert.certificateId(), policies(cert.certificateArn()));
    }

    private CertificateDescription registered(X509Certificate presented) {
        byte[] der = der(presented);
        for (String id : List.of(sha256Hex(der), sha256Hex(pem(der).getBytes(StandardCharsets.US_ASCII)))) {
            try {
                CertificateDescription found =
                        iot.describeCertificate(r -> r.certificateId(id)).certificateDescription();
                if (Arrays.equals(der(parse(found.certificatePem())), der)) {
                    return found;
                }
            } catch (ResourceNotFoundException | InvalidRequestException absent) {
                // try the next naming
            }
        }
        return null;
    }

    private Thing thing(String thingName) {
        try {
            DescribeThingResponse t = iot.describeThing(r -> r.thingName(thingName));
            return new Thing(t.thingName(), t.thingTypeName(), t.attributes());
        } catch (ResourceNotFoundException | InvalidRequestException absent) {
            return null;
        }
    }

    private List<IotPolicy> policies(String principal) {
        List<IotPolicy> policies = new ArrayList<>();
        for (Policy p : iot.listAttachedPolicies(r -> r.target(principal)).policies()) {
            String document = iot.getPolicy(r -> r.policyName(p.policyName())).policyDocument();
            policies.add(IotPolicy.parse(p.policyName(), document, json));
        }
        return policies;
    }

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new Refused("unreadable certificate");
        }
    }

    private static X509Certificate parse(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new Refused("the registry holds an unreadable certificate");
        }
    }

    /** PEM as OpenSSL (and so moto) writes it: 64-character lines. */
    private static String pem(byte[] der) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
