package dev.ota.local.standin;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who may connect to the local broker, and what each connected client may publish, subscribe to
 * and receive. The broker asks it on every CONNECT (before the broker proper sees the connection),
 * on every PUBLISH, on every SUBSCRIBE and on every message it is about to deliver. It knows
 * nothing of OTA: an implementation decides, e.g. by evaluating an AWS IoT policy.
 *
 * <p>A PUBLISH or SUBSCRIBE is asked about with the id of the network connection it came on, the
 * one its CONNECT was decided for: several connections may claim one client id at the same time
 * (a device reconnecting before the broker noticed its old connection is gone, or someone else),
 * and each is allowed only what its own CONNECT decision allows.
 */
public interface MqttAccessControl {

    /**
     * One CONNECT.
     *
     * @param connectionId  unique per network connection in this broker; PUBLISH and SUBSCRIBE on
     *                      this connection are asked about with it
     * @param tls           true on the mutual-TLS listener
     * @param certificates  the client's certificate chain, verified to belong to the client's key
     *                      by the TLS handshake (not against any CA); empty on the plain listener
     */
    record ConnectAttempt(
            long connectionId, boolean tls, String clientId, String userName, List<X509Certificate> certificates) {}

    /** @return null to accept the connection, else why it is refused (the client gets CONNACK "not authorized") */
    String connect(ConnectAttempt attempt);

    /**
     * A PUBLISH on a connection whose CONNECT this access control accepted. On false the broker drops
     * the message (no subscriber, no publish listener sees it) and closes that connection, as AWS IoT
     * Core does.
     */
    boolean publish(long connectionId, String clientId, String topic);

    /** A SUBSCRIBE on an accepted connection, per topic filter; false refuses that filter (SUBACK failure). */
    boolean subscribe(long connectionId, String clientId, String topicFilter);

    /**
     * A message the broker is about to deliver to a connection, on a topic its subscription matched;
     * false drops it for that connection alone (the broker counts it delivered), as AWS IoT Core does
     * without {@code iot:Receive}.
     */
    default boolean receive(long connectionId, String clientId, String topic) {
        return true;
    }

    /** The connection accepted under this id has closed. */
    default void disconnected(long connectionId, String clientId) {}

    /** Everyone may do everything: the broker as it was before access control. */
    MqttAccessControl ALLOW_ALL = new MqttAccessControl() {
        @Override
        public String connect(ConnectAttempt attempt) {
            return null;
        }

        @Override
        public boolean publish(long connectionId, String clientId, String topic) {
            return true;
        }

        @Override
        public boolean subscribe(long connectionId, String clientId, String topicFilter) {
            return true;
        }
    };
}
