package dev.ota.local.standin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MosquittoBrokerTest {

    // One broker for the class: starting mosquitto and the front's event loops takes a moment.
    private static MosquittoBroker broker;
    private final BlockingQueue<MosquittoBroker.ClientPublish> seen = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() {
        broker = new MosquittoBroker().start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @BeforeEach
    void listen() {
        broker.clearPublishListeners();
        broker.addClientPublishListener(seen::add);
    }

    @Test
    void bindsLoopbackOnAFreePort() {
        assertThat(broker.port()).isPositive();
        assertThat(broker.mqttUrl()).isEqualTo("tcp://127.0.0.1:" + broker.port());
    }

    /** As mosquitto_sub and mosquitto_pub connect when given no -i (docs/local.md). */
    @Test
    void acceptsAnEmptyClientIdWithACleanSession() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient client = new org.eclipse.paho.client.mqttv3.MqttClient(
                broker.mqttUrl(), "", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        try {
            org.eclipse.paho.client.mqttv3.MqttConnectOptions options =
                    new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            options.setCleanSession(true);
            client.connect(options);
            assertThat(client.isConnected()).isTrue();
            client.disconnect();
        } finally {
            client.close();
        }
    }

    @Test
    void serverPublishReachesSubscribersOnDollarAndPlainTopics() throws Exception {
        try (MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-d1")) {
            device.subscribe("$ota/update/p1/d1", 1).subscribe("ota/update/p1/d1", 1);

            broker.publish("$ota/update/p1/d1", "{\"type\":\"report_version_rsp\"}".getBytes(UTF_8), 1);
            MqttTestClient.Received first = device.next();
            assertThat(first.topic()).isEqualTo("$ota/update/p1/d1");
            assertThat(new String(first.payload(), UTF_8)).isEqualTo("{\"type\":\"report_version_rsp\"}");
            assertThat(first.qos()).isEqualTo(1);

            broker.publish("ota/update/p1/d1", "plain".getBytes(UTF_8), 0);
            MqttTestClient.Received second = device.next();
            assertThat(second.topic()).isEqualTo("ota/update/p1/d1");
            assertThat(new String(second.payload(), UTF_8)).isEqualTo("plain");
            assertThat(second.qos()).isZero();
        }
    }

    @Test
    void listenerSeesEveryClientPublishWithClientId() throws Exception {
        try (MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-d1")) {
            device.publish("$ota/report/p1/d1", "{\"type\":\"report_version\"}".getBytes(UTF_8), 1);
            device.publish("ota/report/p1/d1", "{\"type\":\"report_progress\"}".getBytes(UTF_8), 0);

            MosquittoBroker.ClientPublish first = next();
            MosquittoBroker.ClientPublish second = next();

            assertThat(first.clientId()).isEqualTo("p1-d1");
            assertThat(first.topic()).isEqualTo("$ota/report/p1/d1");
            assertThat(new String(first.payload(), UTF_8)).isEqualTo("{\"type\":\"report_version\"}");
            assertThat(first.qos()).isEqualTo(1);
            assertThat(second.topic()).isEqualTo("ota/report/p1/d1");
            assertThat(second.qos()).isZero();
        }
    }

    @Test
    void topicPayloadListenerGetsTheSameMessages() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        broker.addPublishListener((topic, payload) -> lines.add(topic + " " + new String(payload, UTF_8)));
        try (MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-d2")) {
            device.publish("ota/report/p1/d2", "hello".getBytes(UTF_8), 1);
            assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo("ota/report/p1/d2 hello");
        }
    }

    @Test
    void serverPublishesAreNotReportedAsClientPublishes() throws Exception {
        try (MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-d1")) {
            device.subscribe("ota/update/p1/d1", 1);
            broker.publish("ota/update/p1/d1", "from-cloud".getBytes(UTF_8), 1);
            device.next();
            // A marker publish from the client: once the listener sees it, an earlier server publish
            // would have been seen too (listeners run in arrival order on one thread).
            device.publish("ota/update/p1/d1", "marker".getBytes(UTF_8), 1);
            assertThat(new String(next().payload(), UTF_8)).isEqualTo("marker");
            assertThat(seen).isEmpty();
        }
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() throws Exception {
        broker.addPublishListener((topic, payload) -> {
            throw new IllegalStateException("boom");
        });
        BlockingQueue<String> after = new LinkedBlockingQueue<>();
        broker.addPublishListener((topic, payload) -> after.add(topic));
        try (MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-d3")) {
            device.publish("ota/report/p1/d3", new byte[] {1}, 1);
            assertThat(after.poll(10, TimeUnit.SECONDS)).isEqualTo("ota/report/p1/d3");
        }
    }

    // As the MQTT spec (4.7.2) and AWS IoT Core: '#' and '+' do not match topics that start with '$'.
    @Test
    void wildcardsDoNotMatchDollarTopics() throws Exception {
        try (MqttTestClient everything = new MqttTestClient(broker.mqttUrl(), "wildcard");
                MqttTestClient dollar = new MqttTestClient(broker.mqttUrl(), "wildcard-dollar")) {
            everything.subscribe("#", 1);
            dollar.subscribe("$ota/update/p1/+", 1);
            broker.publish("$ota/update/p1/d9", "x".getBytes(UTF_8), 1);
            broker.publish("ota/update/p1/d9", "y".getBytes(UTF_8), 1);
            assertThat(dollar.next().topic()).isEqualTo("$ota/update/p1/d9");
            assertThat(everything.next().topic()).isEqualTo("ota/update/p1/d9");
            assertThat(everything.poll(300)).as("'#' matched a $ topic").isNull();
        }
    }

    /** AWS IoT Basic Ingest: a publish to $aws/rules/<rule>/... reaches the rules (the listeners), never a subscriber. */
    @Test
    void aBasicIngestPublishReachesTheListenersAndNoSubscriber() throws Exception {
        try (MqttTestClient watcher = new MqttTestClient(broker.mqttUrl(), "ingest-watcher");
                MqttTestClient device = new MqttTestClient(broker.mqttUrl(), "p1-ingest")) {
            watcher.subscribe("$aws/rules/#", 1);
            device.publish("$aws/rules/some_rule/ota/report/p1/d1", "{}".getBytes(UTF_8), 1);
            MosquittoBroker.ClientPublish published = next();
            assertThat(published.topic()).isEqualTo("$aws/rules/some_rule/ota/report/p1/d1");
            assertThat(published.clientId()).isEqualTo("p1-ingest");
            assertThat(watcher.poll(300))
                    .as("a subscriber got a Basic Ingest message")
                    .isNull();
        }
    }

    @Test
    void fixedPortIsHonoured() throws Exception {
        int port = FreePort.find();
        try (MosquittoBroker fixed = new MosquittoBroker(port).start();
                MqttTestClient client = new MqttTestClient("tcp://127.0.0.1:" + port, "fixed")) {
            assertThat(fixed.port()).isEqualTo(port);
            client.publish("ota/report/p/d", new byte[0], 0);
        }
    }

    @Test
    void aTakenPortFailsInsteadOfPretending() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MosquittoBroker second = new MosquittoBroker(taken.getLocalPort());
            assertThatThrownBy(second::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use");
        }
    }

    // ---- only the front door leads in ----

    /** mosquitto's own port is an ordinary 127.0.0.1 port: a client that dials it directly is refused, whatever it claims. */
    @Test
    void aClientThatDialsTheBrokerProperDirectlyIsRefused() throws Exception {
        int inside = broker.backendPort();
        assertThat(inside).isPositive().isNotEqualTo(broker.port());

        org.eclipse.paho.client.mqttv3.MqttException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> new MqttTestClient("tcp://127.0.0.1:" + inside, "P::ghost"),
                org.eclipse.paho.client.mqttv3.MqttException.class);
        assertThat(refused).as("a CONNECT without the front's credentials").isNotNull();
        assertThat(refused.getReasonCode()).isIn(4, 5);
        // The front's user name with a guessed secret is refused too.
        org.eclipse.paho.client.mqttv3.MqttException guessed = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> new MqttTestClient("tcp://127.0.0.1:" + inside, "P::ghost", MqttFront.BACKEND_USER, "guessed"),
                org.eclipse.paho.client.mqttv3.MqttException.class);
        assertThat(guessed).isNotNull();
        assertThat(guessed.getReasonCode()).isIn(4, 5);
        // What the front itself does still works.
        try (MqttTestClient viaTheFront = new MqttTestClient(broker.mqttUrl(), "P::front")) {
            viaTheFront.publish("ota/report/P/front", new byte[] {1}, 1);
            assertThat(next().clientId()).isEqualTo("P::front");
        }
    }

    /** Many devices, each with its own connection, at QoS 1 both ways: none is lost (5,000: the fleet benchmark). */
    @Test
    void holdsManyConcurrentConnectionsAtQos1() throws Exception {
        int devices = 50; // Paho 1.2.5 spends 300 ms in every connect (it polls its threads every 100 ms)
        // The devices connect (and disconnect) ten at a time, as a fleet does: those waits overlap.
        ExecutorService connecting = Executors.newFixedThreadPool(10);
        List<Future<MqttTestClient>> connected = new ArrayList<>();
        try {
            for (int i = 0; i < devices; i++) {
                String clientId = "many-" + i;
                String updates = "ota/update/many/" + i;
                connected.add(connecting.submit(() -> {
                    MqttTestClient c = new MqttTestClient(broker.mqttUrl(), clientId);
                    try {
                        return c.subscribe(updates, 1);
                    } catch (Exception e) {
                        c.close();
                        throw e;
                    }
                }));
            }
            List<MqttTestClient> clients = new ArrayList<>();
            for (Future<MqttTestClient> c : connected) {
                clients.add(c.get());
            }
            for (int i = 0; i < devices; i++) {
                clients.get(i).publish("ota/report/many/" + i, new byte[] {1}, 1);
                broker.publish("ota/update/many/" + i, ("to " + i).getBytes(UTF_8), 1);
            }
            java.util.Set<String> reported = new java.util.HashSet<>();
            for (int i = 0; i < devices; i++) {
                reported.add(next().clientId());
            }
            assertThat(reported).hasSize(devices);
            for (int i = 0; i < devices; i++) {
                MqttTestClient.Received received = clients.get(i).next();
                assertThat(received.topic()).isEqualTo("ota/update/many/" + i);
                assertThat(received.qos()).isEqualTo(1);
            }
        } finally {
            List<Future<?>> closing = new ArrayList<>();
            for (Future<MqttTestClient> c : connected) {
                closing.add(connecting.submit(() -> {
                    c.get().close();
                    return null;
                }));
            }
            for (Future<?> c : closing) {
                try {
                    c.get();
                } catch (ExecutionException failedToConnect) {
                    // nothing to close; the connect's own failure is what the test reports
                }
            }
            connecting.shutdown();
        }
    }

    /**
     * Two connections may claim one client id (a device reconnecting before its old connection is
     * gone): each PUBLISH is decided for the connection it came on, and a refusal closes that one.
     */
    @Test
    void publishesAreDecidedForTheConnectionTheyCameOn() throws Exception {
        List<MqttAccessControl.ConnectAttempt> connects = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Long> publishedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.Set<Long> mayNotPublish = java.util.concurrent.ConcurrentHashMap.newKeySet();
        broker.accessControl(new MqttAccessControl() {
            @Override
            public String connect(ConnectAttempt attempt) {
                connects.add(attempt);
                return null;
            }

            @Override
            public boolean publish(long connectionId, String clientId, String topic) {
                publishedOn.add(connectionId);
                return !mayNotPublish.contains(connectionId);
            }

            @Override
            public boolean subscribe(long connectionId, String clientId, String topicFilter) {
                return true;
            }
        });
        try {
            try (MqttTestClient first = new MqttTestClient(broker.mqttUrl(), "P::same")) {
                first.publish("ota/report/P/same", new byte[] {1}, 1);
                next();
            }
            try (MqttTestClient second = new MqttTestClient(broker.mqttUrl(), "P::same")) {
                second.publish("ota/report/P/same", new byte[] {2}, 1);
                next();
                mayNotPublish.add(connects.get(1).connectionId());
                org.eclipse.paho.client.mqttv3.MqttException cut = org.assertj.core.api.Assertions.catchThrowableOfType(
                        () -> second.publish("ota/report/P/same", new byte[] {3}, 1),
                        org.eclipse.paho.client.mqttv3.MqttException.class);
                assertThat(cut).as("the refused publish closed its connection").isNotNull();
            }
            assertThat(connects).hasSize(2);
            assertThat(publishedOn)
                    .containsExactly(
                            connects.get(0).connectionId(),
                            connects.get(1).connectionId(),
                            connects.get(1).connectionId());
            assertThat(seen.poll(300, TimeUnit.MILLISECONDS))
                    .as("the refused publish reached no listener")
                    .isNull();
        } finally {
            broker.accessControl(null);
        }
    }

    private MosquittoBroker.ClientPublish next() throws InterruptedException {
        MosquittoBroker.ClientPublish next = seen.poll(10, TimeUnit.SECONDS);
        assertThat(next).as("a client publish reached the listener").isNotNull();
        return next;
    }
}
