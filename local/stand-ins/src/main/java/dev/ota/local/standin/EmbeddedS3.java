package dev.ota.local.standin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobProviderMetadata;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * S3 stand-in: s3proxy running inside this JVM over a filesystem blob store.
 * SigV4 is enforced, so presigned URLs are really verified (tampered or expired ones get 403).
 * Clients must use path-style addressing.
 *
 * <p>S3 has bucket notifications and s3proxy has none: listeners registered with
 * {@link #onObjectCreated} hear of every object a PUT, a completed multipart upload or a copy
 * creates, after S3 answered the client, as S3 would notify.
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
    private final List<Consumer<ObjectCreated>> listeners = new CopyOnWriteArrayList<>();

    /**
     * An object S3 would report in an {@code s3:ObjectCreated:*} notification.
     *
     * @param eventName {@code ObjectCreated:Put}, {@code ObjectCreated:CompleteMultipartUpload} or {@code ObjectCreated:Copy}
     */
    public record ObjectCreated(String bucket, String key, long size, String eTag, String eventName) {}

    /** Calls {@code listener} for every object created from now on; it must not block for long. */
    public void onObjectCreated(Consumer<ObjectCreated> listener) {
        listeners.add(listener);
    }

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
            overrides.setProperty(
                    "jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
            // Naming the provider's metadata directly skips jclouds' scan of every provider on the classpath.
            blobStoreContext = ContextBuilder.newBuilder(new FilesystemNio2BlobProviderMetadata())
                    .overrides(overrides)
                    .credentials(ACCESS_KEY, SECRET_KEY)
                    .build(BlobStoreContext.class);
            proxy = S3Proxy.builder()
                    .blobStore(new NotifyingBlobStore(blobStoreContext.getBlobStore()))
                    .endpoint(URI.create("http://" + HOST + ":" + requestedPort))
                    .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                    // Session credentials (an AWS role's, or the local stack's per-function ones) sign
                    // x-amz-security-token, a header s3proxy does not know and would refuse with 501.
                    // It stays in the signature s3proxy checks; s3proxy only stops refusing it.
                    .ignoreUnknownHeaders(true)
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

    private void notifyCreated(String bucket, String key, Long size, String eTag, String eventName) {
        ObjectCreated created = new ObjectCreated(bucket, key, size == null ? -1 : size, eTag, eventName);
        for (Consumer<ObjectCreated> listener : listeners) {
            try {
                listener.accept(created);
            } catch (RuntimeException e) {
                // a listener's failure is not the client's: S3 has stored the object either way
            }
        }
    }

    /** The blob store s3proxy serves, reporting every object it creates. */
    private final class NotifyingBlobStore extends ForwardingBlobStore {
        NotifyingBlobStore(BlobStore delegate) {
            super(delegate);
        }

        private Long size(Blob blob) {
            return blob.getMetadata() == null || blob.getMetadata().getContentMetadata() == null
                    ? null
                    : blob.getMetadata().getContentMetadata().getContentLength();
        }

        @Override
        public String putBlob(String container, Blob blob) {
            String eTag = super.putBlob(container, blob);
            notifyCreated(container, blob.getMetadata().getName(), size(blob), eTag, "ObjectCreated:Put");
            return eTag;
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            String eTag = super.putBlob(container, blob, options);
            notifyCreated(container, blob.getMetadata().getName(), size(blob), eTag, "ObjectCreated:Put");
            return eTag;
        }

        @Override
        public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
            String eTag = super.completeMultipartUpload(upload, parts);
            BlobMetadata metadata = delegate().blobMetadata(upload.containerName(), upload.blobName());
            notifyCreated(
                    upload.containerName(),
                    upload.blobName(),
                    metadata == null ? null : metadata.getSize(),
                    eTag,
                    "ObjectCreated:CompleteMultipartUpload");
            return eTag;
        }

        @Override
        public String copyBlob(
                String fromContainer, String fromName, String toContainer, String toName, CopyOptions options) {
            String eTag = super.copyBlob(fromContainer, fromName, toContainer, toName, options);
            BlobMetadata metadata = delegate().blobMetadata(toContainer, toName);
            notifyCreated(
                    toContainer, toName, metadata == null ? null : metadata.getSize(), eTag, "ObjectCreated:Copy");
            return eTag;
        }
    }
}
