package dev.ota.local.demo;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import dev.ota.domain.device.ThingName;
import dev.ota.local.device.Registered;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.MqttClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's identity walls, tried for real: a client whose id names no provisioned device tries
 * to connect, and a provisioned device ({@value #ROGUE}) tries to report "fail -2" (the update
 * failed for good) for other devices of the fleet, each on their own topic. The broker's device
 * policy must refuse them all, and none may reach a rule.
 */
final class IdentityCheck {

    static final String ROGUE = "rogue-device";
    static final String GHOST = "ghost-device";
    private static final int MAX_TARGETS = 10;
    /** Connect timeout and the bound of every wait for the broker's answer. */
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static final Duration DISCONNECT_WAIT = Duration.ofMillis(100);

    record Result(int ghostConnects, int ghostRefused, int spoofTried, int spoofRefused, int reachedRules) {
        boolean held() {
            return ghostRefused == ghostConnects && spoofRefused == spoofTried && reachedRules == 0;
        }

        String line() {
            return String.format(
                    "identity: %d connect by an unprovisioned client, %d refused; %d spoofed reports by a provisioned device"
                            + " on other devices' topics, %d refused by the device policy, %d reached a rule%s",
                    ghostConnects,
                    ghostRefused,
                    spoofTried,
                    spoofRefused,
                    reachedRules,
                    held() ? "" : "  <-- A WALL DID NOT HOLD");
        }
    }

    private IdentityCheck() {}

    static Result run(LocalStack stack, String productId, List<String> fleet) {
        String rogueClient = ThingName.of(productId, ROGUE).value();
        Registered.device(stack, productId, ROGUE);
        AtomicInteger reached = new AtomicInteger();
        stack.aws().broker().addClientPublishListener(p -> {
            if (rogueClient.equals(p.clientId())
                    || ThingName.of(productId, GHOST).value().equals(p.clientId())) {
                reached.incrementAndGet();
            }
        });
        int ghostRefused = 0;
        Mqtt3AsyncClient ghost = client(stack, ThingName.of(productId, GHOST).value());
        // Every wait is bounded: were the ghost ever let in, its QoS 1 report would time out (the
        // broker drops it unacknowledged) and the summary would say the wall did not hold.
        try {
            MqttClients.await(ghost.connectWith().cleanSession(true).send(), WAIT);
            MqttClients.await(
                    ghost.publishWith()
                            .topic("ota/report/" + productId + "/" + GHOST)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload("{\"type\":\"report_version\",\"report\":{\"version\":\"6.6.6\"}}"
                                    .getBytes(StandardCharsets.UTF_8))
                            .send(),
                    WAIT);
        } catch (Mqtt3ConnAckException refused) {
            ghostRefused += refused.getMqttMessage().getReturnCode() == Mqtt3ConnAckReturnCode.NOT_AUTHORIZED ? 1 : 0;
        } catch (RuntimeException e) {
            // let in, then cut or unanswered: the wall did not hold, the summary says so
        } finally {
            disconnect(ghost);
        }
        List<String> targets = fleet.subList(0, Math.min(MAX_TARGETS, fleet.size()));
        int refused = 0;
        for (String victim : targets) {
            long before = stack.deviceAccess().counts().publishesRefused();
            Mqtt3AsyncClient rogue = client(stack, rogueClient);
            try {
                MqttClients.await(rogue.connectWith().cleanSession(true).send(), WAIT);
                MqttClients.await(
                        rogue.publishWith()
                                .topic("ota/report/" + productId + "/" + victim)
                                .qos(MqttQos.AT_MOST_ONCE)
                                .payload(
                                        "{\"type\":\"report_progress\",\"report\":{\"progress\":{\"state\":\"fail\",\"result_code\":\"-2\",\"result_msg\":\"spoofed\"},\"version\":\"9.9.9\"}}"
                                                .getBytes(StandardCharsets.UTF_8))
                                .send(),
                        WAIT);
                // The broker closes the connection of a client that publishes where it may not.
                long deadline = System.currentTimeMillis() + 2000;
                while (rogue.getState().isConnected() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(10);
                }
            } catch (RuntimeException e) {
                // refused or cut: counted below from the broker's side
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                disconnect(rogue);
            }
            refused += stack.deviceAccess().counts().publishesRefused() > before ? 1 : 0;
        }
        return new Result(1, ghostRefused, targets.size(), refused, reached.get());
    }

    /** MQTT 3.1.1, clean session, no automatic reconnect, as the devices' own clients. */
    private static Mqtt3AsyncClient client(LocalStack stack, String clientId) {
        return MqttClients.builder(stack.mqttUrl(), clientId, WAIT, null).buildAsync();
    }

    private static void disconnect(Mqtt3AsyncClient client) {
        if (client.getState().isConnected()) {
            try {
                MqttClients.await(client.disconnect(), DISCONNECT_WAIT);
            } catch (RuntimeException e) {
                // gone while saying goodbye: disconnected either way
            }
        }
    }
}
