package dev.ota.local.standin;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's front door: a plain listener and, optionally, a mutual-TLS one, in front of the
 * broker proper (mosquitto, on an internal port). Every packet is read with Netty's MQTT codec, in
 * both directions, and the {@link MqttAccessControl} decides:
 * <ul>
 *   <li>CONNECT (the first packet, or the connection closes), with the client's certificate chain
 *       on the TLS listener, and the will's topic as a PUBLISH. A refused client gets CONNACK "not
 *       authorized" and never reaches the broker; an accepted one is relayed with the front's own
 *       credentials in place of the client's ({@link #BACKEND_USER} and a secret of this broker's), so
 *       the broker proper accepts no connection but the front's;</li>
 *   <li>every PUBLISH: refused, it is dropped and the connection closed, as AWS IoT Core does; allowed,
 *       the {@code published} sink sees it (with the client id, which mosquitto would not tell), then
 *       it goes on to the broker. A Basic Ingest topic ({@code $aws/rules/<rule>/...}) goes to the sink
 *       alone, acknowledged by the front: on AWS it reaches the named rule and no subscriber;</li>
 *   <li>every SUBSCRIBE, per filter: refused filters get the SUBACK failure code and never reach the
 *       broker (their SUBACK is merged with the broker's for the others). Granted QoS is at most 1 and
 *       a QoS 2 PUBLISH closes the connection: AWS IoT Core has no QoS 2;</li>
 *   <li>every message the broker delivers (receive): refused, it is dropped for that connection and
 *       acknowledged to the broker by the front.</li>
 * </ul>
 * Each decision is made for the network connection the packet came on (its id), never for whoever
 * else holds the same client id.
 *
 * <p>The TLS listener requires a client certificate and accepts any one whose key the client
 * holds (the handshake proves it): which certificates are good is for the access control to say,
 * by looking them up in a registry, as AWS IoT Core does for certificates registered without a CA.
 */
final class MqttFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttFront.class);
    private static final String HOST = "127.0.0.1";
    private static final MqttMessage PINGREQ =
            new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0));
    /** The user name of every CONNECT the front relays to the broker proper. */
    static final String BACKEND_USER = "ota-local-front";
    /** AWS IoT Basic Ingest: a publish straight to the named rule, never to subscribers. */
    static final String BASIC_INGEST_PREFIX = "$aws/rules/";

    private static final int SUBACK_FAILURE = 0x80;

    private final int maxBytes;
    private final int backendPort;
    private final Supplier<MqttAccessControl> access;
    private final byte[] backendSecret;
    private final Consumer<MosquittoBroker.ClientPublish> published;
    private final EventLoopGroup boss = new NioEventLoopGroup(1, daemon("mqtt-front-accept"));
    private final EventLoopGroup workers = new NioEventLoopGroup(2, daemon("mqtt-front-io"));
    // Access decisions may call a registry over HTTP: never on an event loop.
    private final ExecutorService deciders = Executors.newFixedThreadPool(2, daemon("mqtt-front-connect"));
    private final AtomicLong connectionIds = new AtomicLong();
    private final Map<Long, Channel> byConnection = new ConcurrentHashMap<>();
    private final List<Channel> listeners = new ArrayList<>();

    /**
     * @param backendSecret the password every relayed CONNECT carries, which the broker proper requires
     * @param published     sees every PUBLISH the access control allowed, on the connection's event loop
     */
    MqttFront(
            int backendPort,
            int maxBytes,
            Supplier<MqttAccessControl> access,
            byte[] backendSecret,
            Consumer<MosquittoBroker.ClientPublish> published) {
        this.backendPort = backendPort;
        this.maxBytes = maxBytes;
        this.access = access;
        this.backendSecret = backendSecret.clone();
        this.published = published;
    }

    /** Binds a listener; {@code tls} null for plain TCP. Returns the bound port. */
    int listen(int port, SslContext tls) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                        ch.pipeline().addLast("decoder", new MqttDecoder(maxBytes));
                        ch.pipeline().addLast("gate", new ConnectGate(tls != null));
                    }
                });
        try {
            Channel channel =
                    bootstrap.bind(new InetSocketAddress(HOST, port)).sync().channel();
            listeners.add(channel);
            return ((InetSocketAddress) channel.localAddress()).getPort();
        } catch (Exception e) {
            throw new IllegalStateException("MQTT port " + HOST + ":" + port + " could not be bound", e);
        }
    }

    /** Closes one relayed connection, if it is still open. */
    void disconnect(long connectionId) {
        Channel channel = byConnection.get(connectionId);
        if (channel != null) {
            channel.close();
        }
    }

    /** Relayed connections open now. */
    int relayed() {
        return byConnection.size();
    }

    @Override
    public void close() {
        listeners.forEach(Channel::close);
        deciders.shutdownNow();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    /** Waits for the CONNECT, has it decided, then relays the connection's packets to the broker. */
    private final class ConnectGate extends ChannelInboundHandlerAdapter {
        private final boolean tls;
        private final List<Object> pending = new ArrayList<>();
        private boolean connectSeen;

        ConnectGate(boolean tls) {
            this.tls = tls;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (connectSeen) {
                // Packets pipelined behind the CONNECT: held until the relay stands (or dropped with the connection).
                pending.add(msg);
                return;
            }
            if (!(msg instanceof MqttConnectMessage connect)
                    || connect.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            connectSeen = true;
            ctx.channel().config().setAutoRead(false);
            // One more read while the decision waits: what it brings is held, and a client that closes meanwhile
            // is noticed (the channel goes inactive) and not decided.
            ctx.read();
            long connectionId = connectionIds.incrementAndGet();
            String clientId = connect.payload().clientIdentifier();
            MqttAccessControl.ConnectAttempt attempt = new MqttAccessControl.ConnectAttempt(
                    connectionId, tls, clientId, connect.payload().userName(), peerCertificates(ctx));
            String willTopic =
                    connect.variableHeader().isWillFlag() ? connect.payload().willTopic() : null;
            deciders.execute(() -> {
                if (!ctx.channel().isActive()) {
                    // The client gave up waiting for its CONNACK (a burst of CONNECTs, each decided on the IoT
                    // registry): deciding it would only delay the CONNECTs behind it, its retry among them.
                    ctx.executor().execute(() -> refuse(ctx));
                    return;
                }
                MqttAccessControl control = access.get();
                String refusal;
                try {
                    refusal = control.connect(attempt);
                    if (refusal == null && willTopic != null && !control.publish(connectionId, clientId, willTopic)) {
                        // The will is a PUBLISH the broker makes for the client later: decided now.
                        control.disconnected(connectionId, clientId);
                        refusal = "may not publish its will to " + willTopic;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("MQTT access control failed on CONNECT of {}", clientId, e);
                    refusal = "access control failed: " + e;
                }
                String decided = refusal;
                ctx.executor().execute(() -> {
                    if (decided != null) {
                        refuse(ctx);
                    } else {
                        relay(ctx, connect, attempt);
                    }
                });
            });
        }

        private void refuse(ChannelHandlerContext ctx) {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
            MqttConnAckMessage refused = MqttMessageBuilders.connAck()
                    .returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
                    .sessionPresent(false)
                    .build();
            ctx.writeAndFlush(refused).addListener(ChannelFutureListener.CLOSE);
        }

        private void relay(
                ChannelHandlerContext ctx, MqttConnectMessage connect, MqttAccessControl.ConnectAttempt attempt) {
            Channel front = ctx.channel();
            if (!front.isActive()) {
                access.get().disconnected(attempt.connectionId(), attempt.clientId());
                pending.forEach(ReferenceCountUtil::release);
                return;
            }
            Connection connection = new Connection(attempt.connectionId(), attempt.clientId(), front);
            ChannelFuture connecting = new Bootstrap()
                    .group(front.eventLoop())
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                            // What the broker delivers passed this front (or the cloud's publisher): twice the
                            // limit leaves room for its headers.
                            ch.pipeline().addLast("decoder", new MqttDecoder(2 * maxBytes));
                            ch.pipeline().addLast("deliveries", connection.new FromBroker());
                        }
                    })
                    .connect(HOST, backendPort);
            connecting.addListener((ChannelFutureListener) done -> {
                if (!done.isSuccess()) {
                    LOG.warn("MQTT front cannot reach the broker on port {}", backendPort, done.cause());
                    pending.forEach(ReferenceCountUtil::release);
                    front.close();
                    access.get().disconnected(attempt.connectionId(), attempt.clientId());
                    return;
                }
                Channel backend = done.channel();
                connection.backend = backend;
                byConnection.put(attempt.connectionId(), front);
                front.closeFuture().addListener(f -> {
                    backend.close();
                    byConnection.remove(attempt.connectionId(), front);
                    access.get().disconnected(attempt.connectionId(), attempt.clientId());
                });
                backend.closeFuture().addListener(f -> front.close());
                backend.write(withBackendCredentials(connect));
                ctx.pipeline().replace(this, "packets", connection.new FromClient());
                for (Object msg : pending) {
                    connection.fromClient(msg);
                }
                pending.clear();
                backend.flush();
                backend.config().setAutoRead(true);
                front.config().setAutoRead(true);
            });
        }

        /** The client's CONNECT with the front's credentials for the broker proper in place of the client's own. */
        private MqttConnectMessage withBackendCredentials(MqttConnectMessage connect) {
            MqttConnectVariableHeader h = connect.variableHeader();
            MqttConnectPayload p = connect.payload();
            MqttConnectVariableHeader header = new MqttConnectVariableHeader(
                    h.name(),
                    h.version(),
                    true,
                    true,
                    h.isWillRetain(),
                    h.willQos(),
                    h.isWillFlag(),
                    h.isCleanSession(),
                    h.keepAliveTimeSeconds(),
                    h.properties());
            MqttConnectPayload payload = new MqttConnectPayload(
                    p.clientIdentifier(),
                    p.willProperties(),
                    p.willTopic(),
                    p.willMessageInBytes(),
                    BACKEND_USER,
                    backendSecret.clone());
            return new MqttConnectMessage(connect.fixedHeader(), header, payload);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("MQTT front connection failed", cause);
            ctx.close();
        }

        private List<X509Certificate> peerCertificates(ChannelHandlerContext ctx) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (ssl == null) {
                return List.of();
            }
            try {
                List<X509Certificate> chain = new ArrayList<>();
                for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                    if (c instanceof X509Certificate x509) {
                        chain.add(x509);
                    }
                }
                return List.copyOf(chain);
            } catch (SSLPeerUnverifiedException e) {
                return List.of();
            }
        }
    }

    /**
     * One accepted connection: the client's channel and the broker's, both on one event loop, so the
     * state here is touched by one thread only.
     */
    private final class Connection {
        private final long id;
        private final String clientId;
        private final Channel client;
        private Channel backend;
        /** SUBSCRIBE packet id -> which of its filters the front refused (their SUBACK codes are merged in). */
        private final Map<Integer, boolean[]> refusedFilters = new HashMap<>();
        /** PINGREQs the front sent the broker for Basic Ingest publishes, not yet answered (on the event loop). */
        private int pingsInFlight;

        Connection(long id, String clientId, Channel client) {
            this.id = id;
            this.clientId = clientId;
            this.client = client;
        }

        void fromClient(Object msg) {
            if (msg instanceof MqttMessage m && m.decoderResult().isFailure()) {
                LOG.debug(
                        "MQTT front: malformed packet from {}: {}",
                        clientId,
                        m.decoderResult().cause());
                ReferenceCountUtil.release(msg);
                client.close();
            } else if (msg instanceof MqttPublishMessage publish) {
                publish(publish);
            } else if (msg instanceof MqttSubscribeMessage subscribe) {
                subscribe(subscribe);
            } else if (msg instanceof MqttConnectMessage) {
                // A second CONNECT is a protocol violation (MQTT 3.1.1, 3.1.0-2).
                ReferenceCountUtil.release(msg);
                client.close();
            } else {
                backend.writeAndFlush(msg);
            }
        }

        private void publish(MqttPublishMessage publish) {
            String topic = publish.variableHeader().topicName();
            int qos = publish.fixedHeader().qosLevel().value();
            if (qos > 1) {
                LOG.warn("MQTT front: {} published with QoS {} to {}; AWS IoT Core has no QoS 2", clientId, qos, topic);
                publish.release();
                client.close();
                return;
            }
            if (!decide(() -> access.get().publish(id, clientId, topic), "PUBLISH", topic)) {
                // As AWS IoT Core does: an unauthorized publish ends the connection.
                publish.release();
                client.close();
                return;
            }
            byte[] payload = ByteBufUtil.getBytes(publish.content());
            try {
                published.accept(new MosquittoBroker.ClientPublish(clientId, topic, payload, qos));
            } catch (RuntimeException e) {
                LOG.warn("MQTT front: the publish sink failed on {}", topic, e);
            }
            if (topic.startsWith(BASIC_INGEST_PREFIX)) {
                int packetId = publish.variableHeader().packetId();
                publish.release();
                if (qos == 1) {
                    client.writeAndFlush(
                            MqttMessageBuilders.pubAck().packetId(packetId).build());
                }
                // The broker proper must still see the client active, as AWS IoT Core counts every packet
                // toward the keep-alive: a client that only publishes by Basic Ingest sends no PINGREQ of its
                // own (it is not idle) and mosquitto would drop it after 1.5 keep-alive periods. Its PINGRESP
                // is the front's, not the client's.
                pingsInFlight++;
                backend.writeAndFlush(PINGREQ);
                return;
            }
            backend.writeAndFlush(publish);
        }

        private void subscribe(MqttSubscribeMessage subscribe) {
            List<MqttTopicSubscription> requested = subscribe.payload().topicSubscriptions();
            boolean[] refused = new boolean[requested.size()];
            List<MqttTopicSubscription> allowed = new ArrayList<>();
            for (int i = 0; i < requested.size(); i++) {
                String filter = requested.get(i).topicName();
                if (decide(() -> access.get().subscribe(id, clientId, filter), "SUBSCRIBE", filter)) {
                    MqttQoS qos = requested.get(i).qualityOfService();
                    allowed.add(new MqttTopicSubscription(
                            filter, qos == MqttQoS.EXACTLY_ONCE ? MqttQoS.AT_LEAST_ONCE : qos));
                } else {
                    refused[i] = true;
                }
            }
            int packetId = subscribe.variableHeader().messageId();
            if (allowed.isEmpty()) {
                int[] codes = new int[requested.size()];
                Arrays.fill(codes, SUBACK_FAILURE);
                client.writeAndFlush(subAck(subscribe, codes));
                return;
            }
            if (allowed.size() < requested.size()) {
                refusedFilters.put(packetId, refused);
            }
            backend.writeAndFlush(new MqttSubscribeMessage(
                    subscribe.fixedHeader(),
                    subscribe.idAndPropertiesVariableHeader(),
                    new MqttSubscribePayload(allowed)));
        }

        private boolean decide(Supplier<Boolean> decision, String what, String topic) {
            try {
                return decision.get();
            } catch (RuntimeException e) {
                LOG.warn("MQTT access control failed on {} of {} to {}", what, clientId, topic, e);
                return false;
            }
        }

        void fromBroker(Object msg) {
            if (msg instanceof MqttSubAckMessage subAck
                    && refusedFilters.containsKey(subAck.variableHeader().messageId())) {
                boolean[] refused =
                        refusedFilters.remove(subAck.variableHeader().messageId());
                List<Integer> granted = subAck.payload().reasonCodes();
                int[] merged = new int[refused.length];
                for (int i = 0, next = 0; i < refused.length; i++) {
                    merged[i] = refused[i] ? SUBACK_FAILURE : granted.get(next++);
                }
                client.writeAndFlush(new MqttSubAckMessage(
                        subAck.fixedHeader(), subAck.idAndPropertiesVariableHeader(), new MqttSubAckPayload(merged)));
            } else if (msg instanceof MqttMessage pingResp
                    && pingResp.fixedHeader().messageType() == MqttMessageType.PINGRESP
                    && pingsInFlight > 0) {
                pingsInFlight--; // the answer to a PINGREQ the front sent for a Basic Ingest publish
            } else if (msg instanceof MqttPublishMessage delivery) {
                String topic = delivery.variableHeader().topicName();
                if (decide(() -> access.get().receive(id, clientId, topic), "RECEIVE", topic)) {
                    client.writeAndFlush(delivery);
                    return;
                }
                int packetId = delivery.variableHeader().packetId();
                boolean acknowledge = delivery.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE;
                delivery.release();
                if (acknowledge) {
                    backend.writeAndFlush(
                            MqttMessageBuilders.pubAck().packetId(packetId).build());
                }
            } else {
                client.writeAndFlush(msg);
            }
        }

        /** The client's side of the connection, after its CONNECT was relayed. */
        final class FromClient extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                fromClient(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                LOG.debug("MQTT front: connection of {} failed", clientId, cause);
                ctx.close();
            }
        }

        /** The broker's side: CONNACK, SUBACKs, deliveries and acknowledgements for the client. */
        final class FromBroker extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!client.isActive()) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                fromBroker(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                client.close();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                LOG.debug("MQTT front: the broker's side of {} failed", clientId, cause);
                ctx.close();
            }
        }
    }

    private static MqttSubAckMessage subAck(MqttSubscribeMessage subscribe, int[] codes) {
        return new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                subscribe.idAndPropertiesVariableHeader(),
                new MqttSubAckPayload(codes));
    }

    private static ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
