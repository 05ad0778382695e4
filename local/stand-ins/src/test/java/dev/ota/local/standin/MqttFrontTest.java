package dev.ota.local.standin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker's front door on its own, in front of a fake broker (a plain socket that records what
 * reaches it): what a refused and an accepted CONNECT do, on the plain and the mutual-TLS listener,
 * and what the front decides on each PUBLISH, SUBSCRIBE and delivery.
 */
class MqttFrontTest {

    private static final byte[] SECRET = "front-test-secret".getBytes(UTF_8);
    private static final LocalCertificateAuthority CA = LocalCertificateAuthority.create();

    private FakeBroker backend;
    private Decisions access;
    private final BlockingQueue<MosquittoBroker.ClientPublish> published = new LinkedBlockingQueue<>();
    private MqttFront front;
    private int plainPort;
    private int tlsPort;

    @BeforeEach
    void start() throws Exception {
        backend = new FakeBroker();
        access = new Decisions();
        front = new MqttFront(backend.port(), 256 * 1024, () -> access, SECRET, published::add);
        plainPort = front.listen(0, null);
        tlsPort = front.listen(0, serverTls());
    }

    @AfterEach
    void stop() throws Exception {
        front.close();
        backend.close();
    }

    // ---- refused ----

    @Test
    void aRefusedConnectGetsNotAuthorizedAndItsConnectionClosesAndNothingReachesTheBroker() throws Exception {
        access.refuse = "not a provisioned device";
        try (Socket client = plainClient()) {
            // A PUBLISH pipelined right behind the CONNECT must not get through either.
            client.getOutputStream()
                    .write(concat(encode(connect("ghost")), encode(publish("ota/report/P/ghost", "{}"))));
            client.getOutputStream().flush();

            assertThat(readExactly(client.getInputStream(), 4)).containsExactly(0x20, 0x02, 0x00, 0x05);
            assertThat(client.getInputStream().read())
                    .as("the front closed the connection")
                    .isEqualTo(-1);
        }
        assertThat(access.attempts).singleElement().satisfies(a -> {
            assertThat(a.clientId()).isEqualTo("ghost");
            assertThat(a.tls()).isFalse();
            assertThat(a.certificates()).isEmpty();
        });
        assertThat(backend.awaitConnection(500))
                .as("a connection to the broker")
                .isNull();
        assertThat(access.disconnected).isEmpty();
    }

    @Test
    void aConnectionWhoseFirstPacketIsNoConnectIsClosedUndecided() throws Exception {
        try (Socket client = plainClient()) {
            client.getOutputStream().write(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ
            client.getOutputStream().flush();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(access.attempts).isEmpty();
        assertThat(backend.awaitConnection(300)).isNull();
    }

    @Test
    void aConnectWhoseClientLeftWhileItWaitedForADecisionIsNotDecided() throws Exception {
        access.refuse = "not a provisioned device"; // the answer needs no broker behind the front
        // Every decider busy (a burst of CONNECTs, each decided on the IoT registry)...
        List<Socket> busy = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket held = plainClient();
            held.getOutputStream().write(encode(connect("held-" + i)));
            held.getOutputStream().flush();
            busy.add(held);
        }
        awaitTrue(() -> access.attempts.size() >= 2);
        // ...and a client that gives up waiting for its CONNACK, as a device's connect timeout does.
        try (Socket gone = plainClient()) {
            gone.getOutputStream().write(encode(connect("gone")));
            gone.getOutputStream().flush();
        }
        Thread.sleep(200);
        access.held.countDown();
        for (Socket held : busy) {
            try (held) {
                assertThat(readExactly(held.getInputStream(), 4)).containsExactly(0x20, 0x02, 0x00, 0x05);
            }
        }
        assertThat(access.attempts)
                .extracting(MqttAccessControl.ConnectAttempt::clientId)
                .containsExactlyInAnyOrder("held-0", "held-1", "held-2", "held-3");
    }

    // ---- accepted ----

    @Test
    void anAcceptedConnectIsRelayedWithTheFrontsCredentialsAndThenPacketByPacketBothWays() throws Exception {
        try (Socket client = plainClient()) {
            client.getOutputStream()
                    .write(concat(encode(connect("P::dev-1")), encode(publish("ota/report/P/dev-1", "pipelined"))));
            client.getOutputStream().flush();

            Socket broker = backend.awaitConnection(5000);
            assertThat(broker).as("the accepted client reached the broker").isNotNull();
            List<MqttMessage> relayed = decode(broker.getInputStream(), 2);
            MqttConnectMessage connect = (MqttConnectMessage) relayed.get(0);
            assertThat(connect.payload().clientIdentifier()).isEqualTo("P::dev-1");
            assertThat(connect.payload().userName()).isEqualTo(MqttFront.BACKEND_USER);
            assertThat(connect.payload().passwordInBytes()).isEqualTo(SECRET);
            assertThat(connect.variableHeader().isCleanSession()).isTrue();
            assertThat(connect.variableHeader().keepAliveTimeSeconds()).isEqualTo(30);
            MqttPublishMessage pipelined = (MqttPublishMessage) relayed.get(1);
            assertThat(pipelined.variableHeader().topicName()).isEqualTo("ota/report/P/dev-1");
            assertThat(pipelined.payload().toString(UTF_8)).isEqualTo("pipelined");
            pipelined.release();
            MosquittoBroker.ClientPublish seen = published.poll(5, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.clientId()).isEqualTo("P::dev-1");
            assertThat(seen.topic()).isEqualTo("ota/report/P/dev-1");
            assertThat(new String(seen.payload(), UTF_8)).isEqualTo("pipelined");

            // The broker's packets reach the client as the broker sent them.
            byte[] down = concat(
                    new byte[] {0x20, 0x02, 0x00, 0x00},
                    encode(publishQos1("ota/update/P/dev-1", "x".repeat(20_000), 7)));
            broker.getOutputStream().write(down);
            broker.getOutputStream().flush();
            assertThat(readExactly(client.getInputStream(), down.length)).containsExactly(toInts(down));
            byte[] up = encode(publish("ota/report/P/dev-1", "y".repeat(50_000)));
            client.getOutputStream().write(up);
            client.getOutputStream().flush();
            MqttPublishMessage large =
                    (MqttPublishMessage) decode(broker.getInputStream(), 1).get(0);
            assertThat(large.payload().readableBytes()).isEqualTo(50_000);
            large.release();
            assertThat(front.relayed()).isEqualTo(1);

            // The broker hangs up: so does the front, and the access control hears of it.
            broker.close();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        awaitTrue(() -> access.disconnected.size() == 1);
        assertThat(access.disconnected).containsExactly(access.attempts.get(0).connectionId());
        awaitTrue(() -> front.relayed() == 0);
    }

    @Test
    void aRefusedPublishIsDroppedAndClosesTheConnection() throws Exception {
        access.mayPublish = topic -> !topic.contains("other");
        try (Socket client = plainClient()) {
            client.getOutputStream().write(encode(connect("P::dev-3")));
            Socket broker = backend.awaitConnection(5000);
            decode(broker.getInputStream(), 1);
            client.getOutputStream().write(encode(publish("ota/report/P/other", "spoof")));
            client.getOutputStream().flush();
            assertThat(client.getInputStream().read()).as("closed").isEqualTo(-1);
            assertThat(broker.getInputStream().read())
                    .as("nothing reached the broker")
                    .isEqualTo(-1);
        }
        assertThat(published.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void refusedFiltersGetTheFailureCodeMergedIntoTheBrokersSuback() throws Exception {
        access.maySubscribe = filter -> !filter.contains("other");
        try (Socket client = plainClient()) {
            client.getOutputStream().write(encode(connect("P::dev-4")));
            Socket broker = backend.awaitConnection(5000);
            decode(broker.getInputStream(), 1);
            client.getOutputStream()
                    .write(encode(MqttMessageBuilders.subscribe()
                            .messageId(5)
                            .addSubscription(MqttQoS.AT_LEAST_ONCE, "ota/update/P/other")
                            .addSubscription(MqttQoS.EXACTLY_ONCE, "ota/update/P/dev-4")
                            .build()));
            client.getOutputStream().flush();
            MqttSubscribeMessage forwarded =
                    (MqttSubscribeMessage) decode(broker.getInputStream(), 1).get(0);
            assertThat(forwarded.payload().topicSubscriptions()).singleElement().satisfies(sub -> {
                assertThat(sub.topicName()).isEqualTo("ota/update/P/dev-4");
                assertThat(sub.qualityOfService()).as("no QoS 2 on AWS").isEqualTo(MqttQoS.AT_LEAST_ONCE);
            });
            broker.getOutputStream()
                    .write(encode(MqttMessageBuilders.subAck()
                            .packetId(5)
                            .addGrantedQos(MqttQoS.AT_LEAST_ONCE)
                            .build()));
            MqttSubAckMessage subAck =
                    (MqttSubAckMessage) decode(client.getInputStream(), 1).get(0);
            assertThat(subAck.variableHeader().messageId()).isEqualTo(5);
            assertThat(subAck.payload().reasonCodes()).containsExactly(0x80, 1);
        }
    }

    @Test
    void aDeliveryTheClientMayNotReceiveIsDroppedAndAcknowledgedToTheBroker() throws Exception {
        access.mayReceive = topic -> !topic.contains("other");
        try (Socket client = plainClient()) {
            client.getOutputStream().write(encode(connect("P::dev-5")));
            Socket broker = backend.awaitConnection(5000);
            decode(broker.getInputStream(), 1);
            broker.getOutputStream()
                    .write(concat(
                            new byte[] {0x20, 0x02, 0x00, 0x00},
                            encode(publishQos1("ota/update/P/other", "not yours", 9)),
                            encode(publishQos1("ota/update/P/dev-5", "yours", 10))));
            broker.getOutputStream().flush();
            List<MqttMessage> atClient = decode(client.getInputStream(), 2);
            assertThat(atClient.get(0)).isInstanceOf(MqttConnAckMessage.class);
            MqttPublishMessage delivered = (MqttPublishMessage) atClient.get(1);
            assertThat(delivered.variableHeader().topicName()).isEqualTo("ota/update/P/dev-5");
            delivered.release();
            MqttMessage ack = decode(broker.getInputStream(), 1).get(0);
            assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
            assertThat(((MqttMessageIdVariableHeader) ack.variableHeader()).messageId())
                    .isEqualTo(9);
        }
    }

    @Test
    void aBasicIngestPublishGoesToTheSinkAloneAndTheFrontAcknowledgesIt() throws Exception {
        // ... and keeps the client active at the broker: a PINGREQ in its place, whose PINGRESP is the front's.
        try (Socket client = plainClient()) {
            client.getOutputStream().write(encode(connect("P::dev-6")));
            Socket broker = backend.awaitConnection(5000);
            decode(broker.getInputStream(), 1);
            client.getOutputStream().write(encode(publishQos1("$aws/rules/r1/ota/report/P/dev-6", "{}", 3)));
            client.getOutputStream().flush();
            MqttMessage ack = decode(client.getInputStream(), 1).get(0);
            assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
            assertThat(((MqttMessageIdVariableHeader) ack.variableHeader()).messageId())
                    .isEqualTo(3);
            MosquittoBroker.ClientPublish seen = published.poll(5, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.topic()).isEqualTo("$aws/rules/r1/ota/report/P/dev-6");
            MqttMessage keptActive = decode(broker.getInputStream(), 1).get(0);
            assertThat(keptActive.fixedHeader().messageType())
                    .as("the broker sees activity, not the publish")
                    .isEqualTo(MqttMessageType.PINGREQ);
            broker.setSoTimeout(300);
            assertThat(catchThrowable(() -> broker.getInputStream().read()))
                    .as("nothing else reached the broker")
                    .isInstanceOf(SocketTimeoutException.class);

            // The broker answers the front's PINGREQ (swallowed), then the client's own (relayed).
            byte[] pingResp = {(byte) 0xD0, 0x00};
            broker.getOutputStream().write(pingResp);
            broker.getOutputStream().flush();
            client.getOutputStream().write(new byte[] {(byte) 0xC0, 0x00});
            client.getOutputStream().flush();
            assertThat(decode(broker.getInputStream(), 1).get(0).fixedHeader().messageType())
                    .isEqualTo(MqttMessageType.PINGREQ);
            broker.getOutputStream().write(pingResp);
            broker.getOutputStream().flush();
            assertThat(readExactly(client.getInputStream(), 2))
                    .as("exactly one PINGRESP, for the client's PINGREQ")
                    .containsExactly(0xD0, 0x00);
            client.setSoTimeout(300);
            assertThat(catchThrowable(() -> client.getInputStream().read())).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aConnectWhoseWillTheClientMayNotPublishIsRefused() throws Exception {
        access.mayPublish = topic -> !topic.contains("other");
        try (Socket client = plainClient()) {
            client.getOutputStream()
                    .write(encode(MqttMessageBuilders.connect()
                            .clientId("P::dev-7")
                            .protocolVersion(MqttVersion.MQTT_3_1_1)
                            .cleanSession(true)
                            .keepAlive(30)
                            .willFlag(true)
                            .willTopic("ota/update/P/other")
                            .willMessage("{}".getBytes(UTF_8))
                            .build()));
            client.getOutputStream().flush();
            assertThat(readExactly(client.getInputStream(), 4)).containsExactly(0x20, 0x02, 0x00, 0x05);
        }
        assertThat(backend.awaitConnection(300)).isNull();
        assertThat(access.disconnected).containsExactly(access.attempts.get(0).connectionId());
    }

    @Test
    void disconnectClosesThatConnectionOnlyEvenWhenAnotherClaimsTheSameClientId() throws Exception {
        try (Socket first = plainClient();
                Socket second = plainClient()) {
            first.getOutputStream().write(encode(connect("P::dev-2")));
            Socket firstAtBroker = backend.awaitConnection(5000);
            decode(firstAtBroker.getInputStream(), 1);
            second.getOutputStream().write(encode(connect("P::dev-2")));
            Socket secondAtBroker = backend.awaitConnection(5000);
            decode(secondAtBroker.getInputStream(), 1);
            assertThat(access.attempts).hasSize(2);

            front.disconnect(access.attempts.get(0).connectionId());

            assertThat(first.getInputStream().read()).isEqualTo(-1);
            secondAtBroker.getOutputStream().write(new byte[] {0x20, 0x02, 0x00, 0x00});
            assertThat(readExactly(second.getInputStream(), 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
        }
    }

    // ---- mutual TLS ----

    @Test
    void theTlsListenerRefusesAClientWithoutACertificateBeforeAnyDecision() throws Exception {
        SSLContext noCertificate = SSLContext.getInstance("TLS");
        noCertificate.init(null, trustingTheLocalRoot().getTrustManagers(), null);

        Throwable failed = catchThrowable(() -> {
            try (SSLSocket client = (SSLSocket) noCertificate.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
                client.setSoTimeout(5000);
                client.startHandshake();
                client.getOutputStream().write(encode(connect("P::tls")));
                client.getOutputStream().flush();
                // TLS 1.3 reports a missing client certificate after the client's handshake is done.
                int answer = client.getInputStream().read();
                if (answer != -1) {
                    throw new AssertionError("the TLS listener answered a client without a certificate: " + answer);
                }
                throw new java.io.EOFException("closed without an answer");
            }
        });
        assertThat(failed)
                .as("the handshake fails, or the connection closes unanswered")
                .isInstanceOf(IOException.class);
        assertThat(access.attempts).isEmpty();
        assertThat(backend.awaitConnection(300)).isNull();
    }

    @Test
    void onTheTlsListenerTheDecisionGetsTheClientsCertificate() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X509Certificate certificate = selfSigned(key, "CN=device");
        access.refuse = "certificate not registered";

        try (SSLSocket client = (SSLSocket)
                withClientCertificate(key, certificate).getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            client.setSoTimeout(5000);
            client.getOutputStream().write(encode(connect("P::tls")));
            client.getOutputStream().flush();
            assertThat(readExactly(client.getInputStream(), 4)).containsExactly(0x20, 0x02, 0x00, 0x05);
        }
        assertThat(access.attempts).singleElement().satisfies(a -> {
            assertThat(a.tls()).isTrue();
            assertThat(a.certificates()).containsExactly(certificate);
        });
        assertThat(backend.awaitConnection(300)).isNull();
    }

    @Test
    void anAcceptedTlsClientIsRelayedInTheClear() throws Exception {
        KeyPair key = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X509Certificate certificate = selfSigned(key, "CN=device");
        try (SSLSocket client = (SSLSocket)
                withClientCertificate(key, certificate).getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            client.setSoTimeout(5000);
            client.getOutputStream().write(encode(connect("P::tls-ok")));
            client.getOutputStream().flush();
            Socket broker = backend.awaitConnection(5000);
            assertThat(broker).isNotNull();
            assertThat(((MqttConnectMessage) decode(broker.getInputStream(), 1).get(0))
                            .payload()
                            .clientIdentifier())
                    .isEqualTo("P::tls-ok");
            broker.getOutputStream().write(new byte[] {0x20, 0x02, 0x00, 0x00});
            assertThat(readExactly(client.getInputStream(), 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
        }
    }

    // ---- helpers ----

    /** Records every CONNECT; refuses all with {@link #refuse} when set. */
    private static final class Decisions implements MqttAccessControl {
        final List<ConnectAttempt> attempts = new CopyOnWriteArrayList<>();
        final List<Long> disconnected = new CopyOnWriteArrayList<>();
        volatile String refuse;
        /** A CONNECT of a client id starting "held" waits for this before it is decided. */
        final CountDownLatch held = new CountDownLatch(1);

        volatile java.util.function.Predicate<String> mayPublish = t -> true;
        volatile java.util.function.Predicate<String> maySubscribe = t -> true;
        volatile java.util.function.Predicate<String> mayReceive = t -> true;

        @Override
        public String connect(ConnectAttempt attempt) {
            attempts.add(attempt);
            if (attempt.clientId().startsWith("held")) {
                try {
                    held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return refuse;
        }

        @Override
        public boolean publish(long connectionId, String clientId, String topic) {
            return mayPublish.test(topic);
        }

        @Override
        public boolean subscribe(long connectionId, String clientId, String topicFilter) {
            return maySubscribe.test(topicFilter);
        }

        @Override
        public boolean receive(long connectionId, String clientId, String topic) {
            return mayReceive.test(topic);
        }

        @Override
        public void disconnected(long connectionId, String clientId) {
            disconnected.add(connectionId);
        }
    }

    /** The broker proper, faked: accepts connections and hands them to the test. */
    private static final class FakeBroker implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        private final List<Socket> all = new CopyOnWriteArrayList<>();

        FakeBroker() throws IOException {
            Thread acceptor = new Thread(
                    () -> {
                        while (!server.isClosed()) {
                            try {
                                Socket s = server.accept();
                                s.setSoTimeout(5000);
                                all.add(s);
                                accepted.add(s);
                            } catch (IOException closed) {
                                return;
                            }
                        }
                    },
                    "fake-broker");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        Socket awaitConnection(long millis) throws InterruptedException {
            return accepted.poll(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : all) {
                s.close();
            }
        }
    }

    private Socket plainClient() throws IOException {
        Socket socket = new Socket("127.0.0.1", plainPort);
        socket.setSoTimeout(5000);
        return socket;
    }

    private static MqttConnectMessage connect(String clientId) {
        return MqttMessageBuilders.connect()
                .clientId(clientId)
                .protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true)
                .keepAlive(30)
                .build();
    }

    private static MqttPublishMessage publishQos1(String topic, String payload, int packetId) {
        return MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(MqttQoS.AT_LEAST_ONCE)
                .messageId(packetId)
                .payload(Unpooled.copiedBuffer(payload, UTF_8))
                .build();
    }

    private static MqttPublishMessage publish(String topic, String payload) {
        return MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(MqttQoS.AT_MOST_ONCE)
                .payload(Unpooled.copiedBuffer(payload, UTF_8))
                .build();
    }

    private static byte[] encode(MqttMessage message) {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.writeOutbound(message);
        ByteBuf encoded = channel.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(encoded);
        encoded.release();
        channel.finishAndReleaseAll();
        return bytes;
    }

    /** Reads MQTT packets off a stream until {@code count} are decoded. */
    private static List<MqttMessage> decode(InputStream in, int count) throws IOException {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttDecoder(1 << 20));
        List<MqttMessage> messages = new ArrayList<>();
        byte[] buffer = new byte[4096];
        while (messages.size() < count) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("stream ended after " + messages.size() + " packets");
            }
            channel.writeInbound(Unpooled.copiedBuffer(buffer, 0, n));
            for (Object m; (m = channel.readInbound()) != null; ) {
                assertThat(((MqttMessage) m).decoderResult().isSuccess()).isTrue();
                messages.add((MqttMessage) m);
            }
        }
        return messages;
    }

    private static int[] readExactly(InputStream in, int n) throws IOException {
        byte[] bytes = new byte[n];
        int read = 0;
        while (read < n) {
            int r;
            try {
                r = in.read(bytes, read, n - read);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("only " + read + " of " + n + " bytes arrived", e);
            }
            if (r < 0) {
                throw new AssertionError("the stream ended after " + read + " of " + n + " bytes");
            }
            read += r;
        }
        return toInts(bytes);
    }

    private static int[] toInts(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i] & 0xFF;
        }
        return ints;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    /** As MosquittoBroker sets up its TLS listener: client certificate required, any one accepted. */
    private static SslContext serverTls() throws Exception {
        return SslContextBuilder.forServer(CA.serverKey(), CA.serverCertificate(), CA.root())
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
    }

    private static TrustManagerFactory trustingTheLocalRoot() throws Exception {
        KeyStore roots = KeyStore.getInstance("PKCS12");
        roots.load(null, null);
        roots.setCertificateEntry("local-root", CA.root());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(roots);
        return tmf;
    }

    private static SSLContext withClientCertificate(KeyPair key, X509Certificate certificate) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("device", key.getPrivate(), new char[0], new java.security.cert.Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), trustingTheLocalRoot().getTrustManagers(), null);
        return context;
    }

    private static X509Certificate selfSigned(KeyPair key, String subject) throws Exception {
        X500Name name = new X500Name(subject);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)),
                Date.from(now.plusSeconds(3600)),
                name,
                key.getPublic());
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    }
}
