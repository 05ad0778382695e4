package dev.ota.local.standin;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One MQTT 3.1.1 CONNECT, as the front relays it (its user name and a password), to whatever
 * listens on a port, and the CONNACK's return code. The broker uses it at start-up to make sure the
 * port it chose for Moquette is served by that Moquette and not by someone who took the port first.
 */
final class BackendProbe {

    /** The client id of a probe's CONNECT begins so (the start-up check's own refusal is not worth a warning). */
    static final String CLIENT_ID_PREFIX = "ota-local-probe-";
    /** Nothing accepted the TCP connection. */
    static final int NOTHING_LISTENS = -1;
    /** Something accepted it but did not answer with a CONNACK. */
    static final int NOT_MQTT = -2;

    private BackendProbe() {}

    /** @return the CONNACK return code (0 accepted), {@link #NOTHING_LISTENS} or {@link #NOT_MQTT} */
    static int connack(String host, int port, byte[] password) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(connect(CLIENT_ID_PREFIX + UUID.randomUUID(), MqttFront.backendUser(0), password));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int type = in.read();
            int length = in.read();
            if (type != 0x20 || length != 2) {
                return NOT_MQTT;
            }
            in.readUnsignedByte(); // session present
            int code = in.readUnsignedByte();
            if (code == 0) {
                out.write(new byte[] {(byte) 0xE0, 0}); // DISCONNECT
                out.flush();
            }
            return code;
        } catch (ConnectException refused) {
            return NOTHING_LISTENS;
        } catch (IOException e) {
            return NOT_MQTT;
        }
    }

    /** A CONNECT packet: MQTT 3.1.1, clean session, user name and password. */
    static byte[] connect(String clientId, String userName, byte[] password) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT".getBytes(StandardCharsets.US_ASCII));
        body.write(4); // protocol level 3.1.1
        body.write(0xC2); // user name, password, clean session
        body.write(0);
        body.write(30); // keep alive, seconds
        string(body, clientId.getBytes(StandardCharsets.UTF_8));
        string(body, userName.getBytes(StandardCharsets.UTF_8));
        string(body, password);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        int remaining = body.size();
        do {
            int digit = remaining % 128;
            remaining /= 128;
            packet.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >> 8);
        out.write(value.length & 0xFF);
        out.writeBytes(value);
    }
}
