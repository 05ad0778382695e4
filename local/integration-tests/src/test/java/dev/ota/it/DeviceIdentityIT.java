package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.exceptions.ConnectionClosedException;
import com.hivemq.client.mqtt.exceptions.ConnectionFailedException;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import dev.ota.cli.device.Provisioning;
import dev.ota.domain.device.ThingName;
import dev.ota.local.device.Registered;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.MqttClients;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The identity walls, each with real MQTT clients (HiveMQ's, MQTT 3.1.1; mosquitto_pub for MQTT 3.1) on the local stack, which enforces the
 * template's device policy on every connection (DeviceAccess) and runs the report functions behind
 * the template's rules. Each test fails when its wall is taken away.
 */
class DeviceIdentityIT {

    private static final String PRODUCT = "IDWALL";
    /** Connect timeout and the bound of every wait for the broker's answer. */
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final String VERSION_REPORT = "{\"type\":\"report_version\",\"report\":{\"version\":\"%s\"}}";

    private final LocalStack stack = SharedStack.get();

    // ---- wall 1: the device policy on the broker ----

    @Test
    void aSpoofedReportIsDroppedByTheBrokerAndNeverReachesAFunction() throws Exception {
        Registered.device(stack, PRODUCT, "victim");
        Registered.device(stack, PRODUCT, "attacker");
        try (Client victim = Client.plain(stack, "victim");
                Client attacker = Client.plain(stack, "attacker")) {
            BlockingQueue<String> toVictim = victim.subscribe("ota/update/" + PRODUCT + "/victim");
            victim.publish("ota/report/" + PRODUCT + "/victim", VERSION_REPORT.formatted("1.0.0"));
            assertThat(toVictim.poll(10, TimeUnit.SECONDS)).contains("report_version_rsp");
            stack.router().awaitIdle(10_000);
            int invocations = stack.router().invocations();
            long refusedBefore = stack.deviceAccess().counts().publishesRefused();

            attacker.publish(
                    "ota/report/" + PRODUCT + "/victim",
                    "{\"type\":\"report_progress\",\"report\":{\"progress\":{\"state\":\"fail\",\"result_code\":\"-2\",\"result_msg\":\"x\"},\"version\":\"1.1.0\"}}");
            attacker.awaitDisconnected();
            stack.router().awaitIdle(10_000);

            assertThat(stack.router().invocations())
                    .as("no rule saw the spoofed report")
                    .isEqualTo(invocations);
            assertThat(stack.deviceAccess().counts().publishesRefused()).isEqualTo(refusedBefore + 1);
            assertThat(stack.deviceAccess().refusals()).anySatisfy(r -> {
                assertThat(r.action()).isEqualTo("iot:Publish");
                assertThat(r.clientId())
                        .isEqualTo(ThingName.of(PRODUCT, "attacker").value());
                assertThat(r.resource()).endsWith(":topic/ota/report/" + PRODUCT + "/victim");
            });
            assertThat(victim.connected()).isTrue();
            assertThat(currentVersion("victim")).isEqualTo("1.0.0");
        }
    }

    @Test
    void aDeviceCannotSubscribeToAnotherDevicesUpdatesNorToAWildcard() throws Exception {
        Registered.device(stack, PRODUCT, "nosy");
        try (Client nosy = Client.plain(stack, "nosy")) {
            assertThatThrownBy(() -> nosy.subscribe("ota/update/" + PRODUCT + "/victim"))
                    .isInstanceOf(Mqtt3SubAckException.class);
        }
        try (Client nosy = Client.plain(stack, "nosy")) {
            assertThatThrownBy(() -> nosy.subscribe("ota/update/" + PRODUCT + "/+"))
                    .isInstanceOf(Mqtt3SubAckException.class);
        }
    }

    // ---- ghosts: only provisioned devices connect, and an unprovisioned name creates nothing ----

    @Test
    void aClientThatIsNoProvisionedDeviceIsRefusedAndCreatesNothing() {
        assertThat(catchConnect(stack.mqttUrl(), ThingName.of(PRODUCT, "ghost").value()))
                .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);

        // Tencent's own client id (productId+deviceName) of a registered device is no thing either.
        Registered.device(stack, PRODUCT, "tencent");
        assertThat(catchConnect(stack.mqttUrl(), PRODUCT + "tencent")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);

        assertThat(currentVersion("ghost")).isNull();
        assertThat(stack.deviceAccess().refusals())
                .anySatisfy(r -> assertThat(r.reason()).contains("not a provisioned device"));
    }

    @Test
    void aDeregisteredDeviceIsRefused() throws Exception {
        Registered.device(stack, PRODUCT, "retired");
        try (Client retired = Client.plain(stack, "retired")) {
            assertThat(retired.connected()).isTrue();
        }
        new Provisioning(stack.iot()).deregister(new dev.ota.domain.device.DeviceId(PRODUCT, "retired"));

        assertThat(catchConnect(
                        stack.mqttUrl(), ThingName.of(PRODUCT, "retired").value()))
                .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    /**
     * The wall is not probabilistic: 200 CONNECTs by clients that are no provisioned device, 8 at a
     * time, with one shared client id, fresh ids, Tencent's id of a registered device and the thing
     * name of a deregistered one, by MQTT 3.1.1 clients and by clients that fall back to 3.1 after a
     * refusal: every one is refused, none is accepted, nothing any of them sends reaches a rule.
     */
    @Test
    void ghostConnectsAreRefusedEveryTimeEvenManyAtOnce() throws Exception {
        Registered.device(stack, PRODUCT, "known");
        Registered.device(stack, PRODUCT, "gone");
        new Provisioning(stack.iot()).deregister(new dev.ota.domain.device.DeviceId(PRODUCT, "gone"));
        List<String> ids = List.of(
                ThingName.of(PRODUCT, "ghost-device").value(),
                PRODUCT + "known",
                ThingName.of(PRODUCT, "gone").value());
        long acceptedBefore = stack.deviceAccess().counts().connectsAccepted();
        AtomicInteger reached = new AtomicInteger();
        java.util.function.Consumer<dev.ota.local.standin.MosquittoBroker.ClientPublish> watch = p -> {
            if (p.clientId() != null && (p.clientId().contains("ghost") || ids.contains(p.clientId()))) {
                reached.incrementAndGet();
            }
        };
        stack.aws().broker().addClientPublishListener(watch);

        ExecutorService threads = Executors.newFixedThreadPool(8);
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        try {
            List<Future<?>> attempts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                attempts.add(threads.submit(() -> {
                    String clientId =
                            n % 4 == 3 ? ThingName.of(PRODUCT, "ghost-" + n).value() : ids.get(n % 3);
                    outcomes.merge(ghostConnect(clientId, n % 2 == 1), 1, Integer::sum);
                    return null;
                }));
            }
            for (Future<?> attempt : attempts) {
                attempt.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(outcomes).containsExactly(Map.entry("refused: not authorized", 200));
        assertThat(stack.deviceAccess().counts().connectsAccepted()).isEqualTo(acceptedBefore);
        assertThat(reached.get()).isZero();
        assertThat(currentVersion("ghost-device")).isNull();
    }

    /** Once deregister has returned, the device cannot connect, however its CONNECTs interleave with the deregistration. */
    @Test
    void aConnectRacingADeregisterIsRefusedOnceTheDeregisterHasReturned() throws Exception {
        Registered.device(stack, PRODUCT, "leaving");
        String clientId = ThingName.of(PRODUCT, "leaving").value();
        assertThat(ghostConnect(clientId, false)).as("registered, it connects").isEqualTo("accepted");
        java.util.concurrent.atomic.AtomicLong deregisteredAt =
                new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        List<long[]> acceptedAt = new java.util.concurrent.CopyOnWriteArrayList<>(); // {started, accepted}
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> connecting = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                connecting.add(threads.submit(() -> {
                    while (!stop.get()) {
                        long started = System.nanoTime();
                        if (ghostConnect(clientId, false).equals("accepted")) {
                            acceptedAt.add(new long[] {started, System.nanoTime()});
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(500);
            new Provisioning(stack.iot()).deregister(new dev.ota.domain.device.DeviceId(PRODUCT, "leaving"));
            deregisteredAt.set(System.nanoTime());
            Thread.sleep(1500);
            stop.set(true);
            for (Future<?> f : connecting) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(acceptedAt)
                .as("a CONNECT begun after the deregistration returned was accepted")
                .noneMatch(a -> a[0] > deregisteredAt.get());
        assertThat(ghostConnect(clientId, false)).isEqualTo("refused: not authorized");
    }

    /**
     * A PUBLISH is decided with the CONNECT decision of the connection it came on. Keyed by client id,
     * a device's reconnect racing its old connection (the broker drops the newer session while the
     * older decision stays) had its own reports refused, and any connection claiming a client id
     * would have been allowed what that id's accepted connection may do.
     */
    @Test
    void aPublishIsDecidedForItsOwnConnectionNotForItsClientId() {
        Registered.device(stack, PRODUCT, "twice");
        String clientId = ThingName.of(PRODUCT, "twice").value();
        String ownTopic = "ota/report/" + PRODUCT + "/twice";
        dev.ota.local.iot.DeviceAccess access = stack.deviceAccess();
        long first = 9_000_000_001L;
        long second = 9_000_000_002L;
        assertThat(access.connect(new dev.ota.local.standin.MqttAccessControl.ConnectAttempt(
                        first, false, clientId, null, List.of())))
                .isNull();
        assertThat(access.connect(new dev.ota.local.standin.MqttAccessControl.ConnectAttempt(
                        second, false, clientId, null, List.of())))
                .isNull();
        // The broker keeps the first connection (the second's CONNECT reached it first and was taken over).
        access.disconnected(second, clientId);

        assertThat(access.publish(first, clientId, ownTopic))
                .as("the open connection's own report")
                .isTrue();
        assertThat(access.publish(second, clientId, ownTopic))
                .as("a closed connection")
                .isFalse();
        assertThat(access.publish(9_000_000_003L, clientId, ownTopic))
                .as("a connection that was never accepted, with the same client id")
                .isFalse();
        assertThat(access.publish(first, ThingName.of(PRODUCT, "other").value(), ownTopic))
                .as("another client id on that connection")
                .isFalse();
        access.disconnected(first, clientId);
        assertThat(access.connections(clientId)).isEmpty();
    }

    /**
     * One MQTT 3.1.1 CONNECT (and, were it accepted, a QoS 1 report) with every wait bounded; the outcome
     * in words. With {@code fallBackTo31}, a refused client tries again with MQTT 3.1, as Paho's default
     * does (mosquitto_pub: HiveMQ's client speaks 3.1.1 and 5 only).
     */
    private String ghostConnect(String clientId, boolean fallBackTo31) {
        Mqtt3AsyncClient client =
                MqttClients.builder(stack.mqttUrl(), clientId, WAIT, null).buildAsync();
        try {
            MqttClients.await(client.connectWith().cleanSession(true).send(), WAIT);
        } catch (Mqtt3ConnAckException e) {
            if (e.getMqttMessage().getReturnCode() != Mqtt3ConnAckReturnCode.NOT_AUTHORIZED) {
                return "failed: " + e;
            }
            return fallBackTo31 ? ghostConnectMqtt31(clientId) : "refused: not authorized";
        } catch (RuntimeException e) {
            return "failed: " + e;
        }
        try {
            MqttClients.await(
                    client.publishWith()
                            .topic("ota/report/" + PRODUCT + "/ghost-device")
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload(VERSION_REPORT.formatted("6.6.6").getBytes(StandardCharsets.UTF_8))
                            .send(),
                    WAIT.multipliedBy(2));
        } catch (RuntimeException cut) {
            // refused by the policy: the broker closes the connection
        } finally {
            Client.disconnect(client);
        }
        return "accepted";
    }

    /** The same with MQTT 3.1 (CONNECT "MQIsdp", version 3), by mosquitto_pub; its exit status is the CONNACK's code. */
    private String ghostConnectMqtt31(String clientId) {
        URI broker = URI.create(stack.mqttUrl());
        ProcessBuilder pub = new ProcessBuilder(
                        "mosquitto_pub",
                        "-h",
                        broker.getHost(),
                        "-p",
                        String.valueOf(broker.getPort()),
                        "-V",
                        "mqttv31",
                        "-i",
                        clientId,
                        "-q",
                        "1",
                        "-t",
                        "ota/report/" + PRODUCT + "/ghost-device",
                        "-m",
                        VERSION_REPORT.formatted("6.6.6"))
                .redirectErrorStream(true);
        try {
            Process process = pub.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "failed: mosquitto_pub did not finish";
            }
            return switch (process.exitValue()) {
                case 0 -> "accepted";
                case 5 -> "refused: not authorized";
                default ->
                    "failed: mosquitto_pub exited with " + process.exitValue() + ": "
                            + new String(output, StandardCharsets.UTF_8).strip();
            };
        } catch (IOException e) {
            return "failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "failed: interrupted";
        }
    }

    // ---- wall 2: the report functions, for fleets whose policy is broader ----

    @Test
    void withABroaderFleetPolicyTheFunctionsStillRefuseAnotherDevicesReport() throws Exception {
        Registered.device(stack, PRODUCT, "victim2");
        Provisioning.Registration broad = Registered.device(stack, PRODUCT, "broad");
        String policy = "broad-fleet-policy";
        stack.iot()
                .createPolicy(
                        r -> r.policyName(policy)
                                .policyDocument(
                                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                                                + "\"Action\":\"iot:Publish\",\"Resource\":\"arn:aws:iot:us-east-1:123456789012:topic/ota/report/*\"}]}"));
        stack.iot().attachPolicy(r -> r.policyName(policy).target(broad.certificateArn()));
        try (Client victim = Client.plain(stack, "victim2")) {
            BlockingQueue<String> toVictim = victim.subscribe("ota/update/" + PRODUCT + "/victim2");
            victim.publish("ota/report/" + PRODUCT + "/victim2", VERSION_REPORT.formatted("1.0.0"));
            assertThat(toVictim.poll(10, TimeUnit.SECONDS)).contains("report_version_rsp");
            stack.router().awaitIdle(10_000);
            int invocations = stack.router().invocations();
            try (Client attacker = Client.plain(stack, "broad")) {
                attacker.publish("ota/report/" + PRODUCT + "/victim2", VERSION_REPORT.formatted("6.6.6"));
                // The broker hands the publish to the rules router asynchronously: an idle router may
                // not have received it yet, so wait for the invocation itself (bounded), then go idle.
                long deadline = System.currentTimeMillis() + 10_000;
                while (stack.router().invocations() <= invocations && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                stack.router().awaitIdle(10_000);
                assertThat(attacker.connected())
                        .as("the broad policy let the publish through")
                        .isTrue();
            }
            assertThat(stack.router().invocations())
                    .as("it reached the function")
                    .isGreaterThan(invocations);
            assertThat(toVictim.poll(1, TimeUnit.SECONDS))
                    .as("nothing was answered to the victim")
                    .isNull();
        }
        assertThat(currentVersion("victim2")).isEqualTo("1.0.0");
    }

    // ---- mutual TLS: the identity comes from the certificate ----

    @Test
    void overMutualTlsTheCertificateIsTheIdentity() throws Exception {
        Provisioning.Registration device = Registered.device(stack, PRODUCT, "tls-1");
        Registered.device(stack, PRODUCT, "tls-2");
        MqttClientSslConfig tls = tls(device);

        try (Client client = Client.tls(stack, device.thingName(), tls)) {
            BlockingQueue<String> updates = client.subscribe("ota/update/" + PRODUCT + "/tls-1");
            client.publish("ota/report/" + PRODUCT + "/tls-1", VERSION_REPORT.formatted("2.0.0"));
            assertThat(updates.poll(10, TimeUnit.SECONDS)).contains("report_version_rsp");
        }
        assertThat(currentVersion("tls-1")).isEqualTo("2.0.0");

        // tls-1's certificate cannot connect as tls-2, a registered device: the thing is the certificate's.
        assertThat(catchConnect(stack.mqttsUrl(), ThingName.of(PRODUCT, "tls-2").value(), tls))
                .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        // Deregistered: its certificate is gone from the registry.
        new Provisioning(stack.iot()).deregister(new dev.ota.domain.device.DeviceId(PRODUCT, "tls-1"));
        assertThat(catchConnect(stack.mqttsUrl(), device.thingName(), tls))
                .isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        assertThat(stack.deviceAccess().refusals())
                .anySatisfy(r -> assertThat(r.reason()).contains("is not registered"));
    }

    @Test
    void theTlsListenerRequiresAClientCertificate() throws Exception {
        Provisioning.Registration device = Registered.device(stack, PRODUCT, "tls-3");
        MqttClientSslConfig noClientCertificate =
                MqttClientSslConfig.builder().trustManagerFactory(trust()).build();

        // The listener ends the TLS handshake with an alert (bad_certificate): no CONNECT is read.
        assertThatThrownBy(() -> Client.tls(stack, device.thingName(), noClientCertificate))
                .isInstanceOfAny(ConnectionClosedException.class, ConnectionFailedException.class)
                .hasRootCauseInstanceOf(javax.net.ssl.SSLException.class);
    }

    // ---- helpers ----

    private String currentVersion(String device) {
        try (DynamoDbClient dynamo = stack.aws().dynamoDb()) {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName("DevicesTable")
                            .key(Map.of("deviceKey", AttributeValue.fromS(PRODUCT + "/" + device)))
                            .consistentRead(true))
                    .item();
            return item == null || item.isEmpty() || !item.containsKey("currentVersion")
                    ? null
                    : item.get("currentVersion").s();
        }
    }

    /** The CONNACK code that refused {@code clientId}; any other outcome fails the test. */
    private static Mqtt3ConnAckReturnCode catchConnect(String url, String clientId) {
        return catchConnect(url, clientId, null);
    }

    private static Mqtt3ConnAckReturnCode catchConnect(String url, String clientId, MqttClientSslConfig tls) {
        try (Client client = new Client(url, clientId, tls)) {
            throw new AssertionError(clientId + " connected");
        } catch (Mqtt3ConnAckException e) {
            return e.getMqttMessage().getReturnCode();
        }
    }

    /** The device's certificate and key as its client's, trusting the local CA. */
    private MqttClientSslConfig tls(Provisioning.Registration device) throws Exception {
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(
                        new java.io.ByteArrayInputStream(device.certificatePem().getBytes(StandardCharsets.US_ASCII)));
        PrivateKey key;
        try (PEMParser parser = new PEMParser(new StringReader(device.privateKeyPem()))) {
            key = new JcaPEMKeyConverter()
                    .getKeyPair((PEMKeyPair) parser.readObject())
                    .getPrivate();
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("device", key, new char[0], new java.security.cert.Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        return MqttClientSslConfig.builder()
                .keyManagerFactory(kmf)
                .trustManagerFactory(trust())
                .build();
    }

    private TrustManagerFactory trust() throws Exception {
        KeyStore roots = KeyStore.getInstance("PKCS12");
        roots.load(null, null);
        roots.setCertificateEntry(
                "local-root", stack.aws().broker().certificateAuthority().root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(roots);
        return tmf;
    }

    /**
     * An MQTT 3.1.1 client (HiveMQ's) connected as a registered device: clean session, no automatic
     * reconnect; every call returns once the broker answered, within {@link #WAIT}.
     */
    private static final class Client implements AutoCloseable {
        private final Mqtt3AsyncClient mqtt;

        private Client(String url, String clientId, MqttClientSslConfig tls) {
            mqtt = MqttClients.builder(url, clientId, WAIT, tls).buildAsync();
            MqttClients.await(mqtt.connectWith().cleanSession(true).send(), WAIT);
        }

        static Client plain(LocalStack stack, String device) {
            return new Client(stack.mqttUrl(), ThingName.of(PRODUCT, device).value(), null);
        }

        static Client tls(LocalStack stack, String clientId, MqttClientSslConfig tls) {
            return new Client(stack.mqttsUrl(), clientId, tls);
        }

        /** Subscribes at QoS 1; a refusal (SUBACK failure) throws {@link Mqtt3SubAckException}. */
        BlockingQueue<String> subscribe(String topic) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            MqttClients.await(
                    mqtt.subscribeWith()
                            .topicFilter(topic)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .callback(m -> received.add(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                            .send(),
                    WAIT);
            return received;
        }

        /** At QoS 0: returns once it is written. */
        void publish(String topic, String payload) {
            try {
                MqttClients.await(
                        mqtt.publishWith()
                                .topic(topic)
                                .qos(MqttQos.AT_MOST_ONCE)
                                .payload(payload.getBytes(StandardCharsets.UTF_8))
                                .send(),
                        WAIT);
            } catch (RuntimeException e) {
                // a publish the broker answered by closing the connection: the tests assert what
                // follows (the disconnect, no invocation); any other failure is the test's failure
                if (mqtt.getState().isConnected()) {
                    throw e;
                }
            }
        }

        boolean connected() {
            return mqtt.getState().isConnected();
        }

        void awaitDisconnected() throws InterruptedException {
            long deadline = System.currentTimeMillis() + 5000;
            while (mqtt.getState().isConnected() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(mqtt.getState().isConnected())
                    .as("the broker closed the connection of a client that published where it may not")
                    .isFalse();
        }

        @Override
        public void close() {
            disconnect(mqtt);
        }

        static void disconnect(Mqtt3AsyncClient client) {
            if (client.getState().isConnected()) {
                try {
                    MqttClients.await(client.disconnect(), Duration.ofMillis(100));
                } catch (RuntimeException e) {
                    // gone while saying goodbye: disconnected either way
                }
            }
        }
    }
}
