package dev.ota.local.standin;

import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * All local stand-ins together: S3 (s3proxy), DynamoDB (moto_server), MQTT broker (mosquitto behind a front door) and the
 * IoT Data Plane Publish endpoint, plus SDK v2 clients wired to them. Clients returned by the factory
 * methods belong to the caller, who closes them.
 */
public final class LocalAws implements AutoCloseable {

    public static final Region REGION = StandInClients.REGION;

    /** Fixed ports for the stand-ins; 0 means "any free port"; {@code mqtts} -1 means no TLS listener. */
    public record Ports(int s3, int dynamoDb, int mqtt, int iotData, int mqtts) {
        /** With the MQTT TLS listener on any free port. */
        public Ports(int s3, int dynamoDb, int mqtt, int iotData) {
            this(s3, dynamoDb, mqtt, iotData, 0);
        }

        public static Ports free() {
            return new Ports(0, 0, 0, 0, 0);
        }
    }

    private final EmbeddedS3 s3;
    private final MotoServer moto;
    private final MosquittoBroker broker;
    private final IotDataEndpoint iotData;

    private LocalAws(Ports ports) {
        s3 = new EmbeddedS3(ports.s3(), null);
        moto = new MotoServer(ports.dynamoDb());
        broker = ports.mqtts() < 0
                ? new MosquittoBroker(ports.mqtt())
                : new MosquittoBroker(ports.mqtt(), ports.mqtts(), LocalCertificateAuthority.create());
        iotData = new IotDataEndpoint(broker, ports.iotData());
    }

    public static LocalAws start() {
        return start(Ports.free());
    }

    public static LocalAws start(Ports ports) {
        LocalAws local = new LocalAws(ports);
        try {
            // moto_server boots a Python process and s3proxy spends its time in Guice and Jackson:
            // start both in the background while the broker and the data endpoint start here.
            inParallel(local.moto::start, local.s3::start, () -> {
                local.broker.start();
                local.iotData.start();
            });
            return local;
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    // Own threads rather than the common pool, whose parallelism is 1 on a 2-CPU machine.
    private static void inParallel(Runnable... tasks) {
        ExecutorService threads = Executors.newFixedThreadPool(tasks.length);
        try {
            CompletableFuture<?>[] running = Arrays.stream(tasks)
                    .map(task -> CompletableFuture.runAsync(task, threads))
                    .toArray(CompletableFuture[]::new);
            CompletableFuture.allOf(running).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        } finally {
            threads.shutdown();
        }
    }

    public Region region() {
        return REGION;
    }

    /** The same static key pair works everywhere: s3proxy checks it, moto accepts any. */
    public StaticCredentialsProvider credentialsProvider() {
        return StandInClients.CREDENTIALS;
    }

    public URI s3Endpoint() {
        return s3.endpoint();
    }

    public URI dynamoDbEndpoint() {
        return moto.endpoint();
    }

    public URI iotDataEndpoint() {
        return iotData.endpoint();
    }

    public String mqttUrl() {
        return broker.mqttUrl();
    }

    /** The MQTT broker's mutual-TLS URL ({@code ssl://127.0.0.1:port}), null without a TLS listener. */
    public String mqttsUrl() {
        return broker.mqttsUrl();
    }

    /** The AWS IoT control plane on moto_server: things, certificates, policies. */
    public IotClient iot() {
        return StandInClients.iot(dynamoDbEndpoint());
    }

    public EmbeddedS3 embeddedS3() {
        return s3;
    }

    public MotoServer motoServer() {
        return moto;
    }

    public MosquittoBroker broker() {
        return broker;
    }

    public IotDataEndpoint iotDataServer() {
        return iotData;
    }

    public DynamoDbClient dynamoDb() {
        return StandInClients.dynamoDb(dynamoDbEndpoint());
    }

    /** Path-style. */
    public S3Client s3() {
        return StandInClients.s3(s3Endpoint());
    }

    /** Path-style; URLs it makes are checked by s3proxy like AWS would (signature and expiry). */
    public S3Presigner s3Presigner() {
        return StandInClients.s3Presigner(s3Endpoint());
    }

    public IotDataPlaneClient iotDataPlane() {
        return StandInClients.iotDataPlane(iotDataEndpoint());
    }

    /** Stops everything, in parallel (the broker's front waits out Netty's quiet period). */
    @Override
    public void close() {
        inParallel(
                () -> {
                    iotData.close();
                    broker.close();
                },
                moto::close,
                s3::close);
    }
}
