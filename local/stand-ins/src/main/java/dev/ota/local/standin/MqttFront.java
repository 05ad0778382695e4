package dev.ota.local.standin;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's front door: a plain listener and, optionally, a mutual-TLS one, in front of the
 * broker proper (Moquette, on an internal port). Each connection's first packet must be a CONNECT,
 * read with Netty's MQTT codec; {@link MqttAccessControl#connect} decides on it, with the client's
 * certificate chain on the TLS listener. A refused client gets CONNACK "not authorized" and never
 * reaches the broker; an accepted one is relayed to it byte for byte from then on. The front also
 * closes a connection on request ({@link #disconnect}), for the broker's authorizer.
 *
 * <p>The broker proper accepts no connection but the front's: the front relays an accepted CONNECT
 * with its own credentials, the connection's id as user name and a secret of this broker's as
 * password ({@link #BACKEND_USER_PREFIX}), and the broker's authenticator refuses every other
 * CONNECT. So a client that reaches the broker's own port without the front (any process on this
 * machine can dial it) is refused, and every PUBLISH and SUBSCRIBE the broker sees names the
 * connection, and so the CONNECT decision, it came on.
 *
 * <p>The TLS listener requires a client certificate and accepts any one whose key the client
 * holds (the handshake proves it): which certificates are good is for the access control to say,
 * by looking them up in a registry, as AWS IoT Core does for certificates registered without a CA.
 */
final class MqttFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttFront.class);
    private static final String HOST = "127.0.0.1";
    /** The user name of a relayed CONNECT: this prefix and the connection's id. */
    static final String BACKEND_USER_PREFIX = "ota-local-front:";

    private final int maxBytes;
    private final int backendPort;
    private final Supplier<MqttAccessControl> access;
    private final byte[] backendSecret;
    private final EventLoopGroup boss = new NioEventLoopGroup(1, daemon("mqtt-front-accept"));
    private final EventLoopGroup workers = new NioEventLoopGroup(2, daemon("mqtt-front-io"));
    // Access decisions may call a registry over HTTP: never on an event loop.
    private final ExecutorService deciders = Executors.newFixedThreadPool(2, daemon("mqtt-front-connect"));
    private final AtomicLong connectionIds = new AtomicLong();
    private final Map<Long, Channel> byConnection = new ConcurrentHashMap<>();
    private final List<Channel> listeners = new ArrayList<>();

    /** @param backendSecret the password every relayed CONNECT carries, which the broker proper requires */
    MqttFront(int backendPort, int maxBytes, Supplier<MqttAccessControl> access, byte[] backendSecret) {
        this.backendPort = backendPort;
        this.maxBytes = maxBytes;
        this.access = access;
        this.backendSecret = backendSecret.clone();
    }

    /** The user name a relayed CONNECT carries for this connection. */
    static String backendUser(long connectionId) {
        return BACKEND_USER_PREFIX + connectionId;
    }

    /** The connection id in a relayed CONNECT's user name; -1 when it is none of the front's. */
    static long connectionId(String backendUser) {
        if (backendUser == null || !backendUser.startsWith(BACKEND_USER_PREFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(backendUser.substring(BACKEND_USER_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Binds a listener; {@code tls} null for plain TCP. Returns the bound port. */
    int listen(int port, SslContext tls) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
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

    /** Waits for the CONNECT, has it decided, then turns the connection into a relay to the broker. */
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
            long connectionId = connectionIds.incrementAndGet();
            String clientId = connect.payload().clientIdentifier();
            MqttAccessControl.ConnectAttempt attempt = new MqttAccessControl.ConnectAttempt(
                    connectionId, tls, clientId, connect.payload().userName(), peerCertificates(ctx));
            deciders.execute(() -> {
                String refusal;
                try {
                    refusal = access.get().connect(attempt);
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
            ChannelFuture connecting = new Bootstrap()
                    .group(front.eventLoop())
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                            ch.pipeline().addLast("relay", new Relay(front));
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
                byConnection.put(attempt.connectionId(), front);
                front.closeFuture().addListener(f -> {
                    backend.close();
                    byConnection.remove(attempt.connectionId(), front);
                    access.get().disconnected(attempt.connectionId(), attempt.clientId());
                });
                backend.closeFuture().addListener(f -> front.close());
                backend.write(withBackendCredentials(connect, attempt.connectionId()));
                for (Object msg : pending) {
                    backend.write(msg);
                }
                pending.clear();
                backend.flush();
                // From here on, bytes: the decoder hands what it still holds to the relay as it leaves.
                ctx.pipeline().addLast("relay", new Relay(backend));
                ctx.pipeline().remove(this);
                ctx.pipeline().remove("decoder");
                backend.config().setAutoRead(true);
                front.config().setAutoRead(true);
            });
        }

        /** The client's CONNECT with the front's credentials for the broker proper in place of the client's own. */
        private MqttConnectMessage withBackendCredentials(MqttConnectMessage connect, long connectionId) {
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
                    backendUser(connectionId),
                    backendSecret.clone());
            return new MqttConnectMessage(connect.fixedHeader(), header, payload);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!connectSeen) {
                return;
            }
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

    /** Copies what one side reads to the other. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Relay(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!other.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            other.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            other.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("MQTT relay failed", cause);
            ctx.close();
        }
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
