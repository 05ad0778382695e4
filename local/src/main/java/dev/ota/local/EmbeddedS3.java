package dev.ota.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobProviderMetadata;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * S3 stand-in: s3proxy running inside this JVM over a filesystem blob store.
 * SigV4 is enforced, so presigned URLs are really verified (tampered or expired ones get 403).
 * Clients must use path-style addressing.
 */
public final class EmbeddedS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "local";
    public static final String SECRET_KEY = "localsecret";

    private static final String HOST = "127.0.0.1";

    private final int requestedPort;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private BlobStoreContext blobStoreContext;
    private S3Proxy proxy;
    private volatile URI endpoint;

    /** Free port, fresh temp dir (deleted on close). */
    public EmbeddedS3() {
        this(0, null);
    }

    /**
     * @param port    0 for a free port
     * @param dataDir where objects live; null for a temp dir that is deleted on close
     */
    public EmbeddedS3(int port, Path dataDir) {
        this.requestedPort = port;
        this.ownsDataDir = dataDir == null;
        this.dataDir = dataDir == null ? createTempDir() : dataDir;
    }

    public synchronized EmbeddedS3 start() {
        if (proxy != null) {
            return this;
        }
        try {
            Files.createDirectories(dataDir);
            Properties overrides = new Properties();
            overrides.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
            // Naming the provider's metadata directly skips jclouds' scan of every provider on the classpath.
            blobStoreContext = ContextBuilder.newBuilder(new FilesystemNio2BlobProviderMetadata())
                    .overrides(overrides)
                    .credentials(ACCESS_KEY, SECRET_KEY)
                    .build(BlobStoreContext.class);
            proxy = S3Proxy.builder()
                    .blobStore(blobStoreContext.getBlobStore())
                    .endpoint(URI.create("http://" + HOST + ":" + requestedPort))
                    .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                    .build();
            proxy.start();
            awaitStarted();
            endpoint = URI.create("http://" + HOST + ":" + proxy.getPort());
            return this;
        } catch (Exception e) {
            close();
            throw new IllegalStateException("s3proxy failed to start", e);
        }
    }

    // S3Proxy.start() returns before Jetty reports STARTED; the port is only known afterwards.
    private void awaitStarted() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy state " + proxy.getState());
            }
            Thread.sleep(5);
        }
    }

    public URI endpoint() {
        if (endpoint == null) {
            throw new IllegalStateException("not started");
        }
        return endpoint;
    }

    public int port() {
        return endpoint().getPort();
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Creates the bucket straight in the blob store; a no-op if it exists. */
    public void createBucket(String name) {
        if (blobStoreContext == null) {
            throw new IllegalStateException("not started");
        }
        blobStoreContext.getBlobStore().createContainerInLocation(null, name);
    }

    @Override
    public synchronized void close() {
        try {
            if (proxy != null) {
                proxy.stop();
            }
        } catch (Exception e) {
            // best effort: closing must not mask the caller's own failure
        } finally {
            proxy = null;
            endpoint = null;
            if (blobStoreContext != null) {
                blobStoreContext.close();
                blobStoreContext = null;
            }
            if (ownsDataDir) {
                deleteRecursively(dataDir);
            }
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("ota-s3-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leftover temp files are harmless
        }
    }
}
