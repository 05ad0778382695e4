package dev.ota.local.demo;

import dev.ota.domain.device.ThingName;
import dev.ota.local.device.Registered;
import dev.ota.local.stack.LocalStack;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

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
        try {
            MqttClient ghost = new MqttClient(
                    stack.mqttUrl(), ThingName.of(productId, GHOST).value(), new MemoryPersistence());
            // Every wait is bounded: were the ghost ever let in, its QoS 1 report would time out (the
            // broker drops it unacknowledged) and the summary would say the wall did not hold.
            ghost.setTimeToWait(5000);
            try {
                ghost.connect(options());
                ghost.publish(
                        "ota/report/" + productId + "/" + GHOST,
                        "{\"type\":\"report_version\",\"report\":{\"version\":\"6.6.6\"}}"
                                .getBytes(StandardCharsets.UTF_8),
                        1,
                        false);
                ghost.disconnectForcibly(100, 100);
            } catch (MqttException refused) {
                ghostRefused += refused.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED ? 1 : 0;
            } finally {
                if (ghost.isConnected()) {
                    ghost.disconnectForcibly(100, 100);
                }
                ghost.close();
            }
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
        List<String> targets = fleet.subList(0, Math.min(MAX_TARGETS, fleet.size()));
        int refused = 0;
        for (String victim : targets) {
            long before = stack.deviceAccess().counts().publishesRefused();
            try {
                MqttClient rogue = new MqttClient(stack.mqttUrl(), rogueClient, new MemoryPersistence());
                rogue.setTimeToWait(5000);
                try {
                    rogue.connect(options());
                    rogue.publish(
                            "ota/report/" + productId + "/" + victim,
                            "{\"type\":\"report_progress\",\"report\":{\"progress\":{\"state\":\"fail\",\"result_code\":\"-2\",\"result_msg\":\"spoofed\"},\"version\":\"9.9.9\"}}"
                                    .getBytes(StandardCharsets.UTF_8),
                            0,
                            false);
                    // The broker closes the connection of a client that publishes where it may not.
                    long deadline = System.currentTimeMillis() + 2000;
                    while (rogue.isConnected() && System.currentTimeMillis() < deadline) {
                        Thread.sleep(10);
                    }
                } catch (MqttException e) {
                    // refused or cut: counted below from the broker's side
                } finally {
                    if (rogue.isConnected()) {
                        rogue.disconnectForcibly(100, 100);
                    }
                    rogue.close();
                }
            } catch (MqttException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
            refused += stack.deviceAccess().counts().publishesRefused() > before ? 1 : 0;
        }
        return new Result(1, ghostRefused, targets.size(), refused, reached.get());
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(5);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return options;
    }
}
