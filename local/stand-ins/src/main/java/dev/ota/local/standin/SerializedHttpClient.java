package dev.ota.local.standin;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * An HTTP client that sends one request at a time to a given endpoint, across every client of that
 * endpoint in this JVM.
 *
 * <p>Why: moto_server handles requests on concurrent threads without locking its DynamoDB tables,
 * so two concurrent {@code TransactWriteItems} conditioned on the same old value can both commit,
 * and a cancelled transaction's rollback can overwrite another's write. DynamoDB itself applies
 * each conditional write and each transaction atomically. Serialising the calls gives the local
 * stand-in that guarantee (see MotoConcurrencyTest). The lock is held until the response status
 * arrives: moto computes a whole response before it sends any of it, so the operation is done by then.
 */
public final class SerializedHttpClient implements SdkHttpClient {

    private static final Map<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final SdkHttpClient delegate;
    private final ReentrantLock lock;

    public SerializedHttpClient(SdkHttpClient delegate, URI endpoint) {
        this.delegate = delegate;
        this.lock = LOCKS.computeIfAbsent(endpoint.getHost() + ":" + endpoint.getPort(), k -> new ReentrantLock(true));
    }

    /** A builder for {@code httpClientBuilder(...)}, so the SDK still closes the client with its service client. */
    public static Builder builder(SdkHttpClient.Builder<?> delegate, URI endpoint) {
        return new Builder(delegate, endpoint);
    }

    public static final class Builder implements SdkHttpClient.Builder<Builder> {
        private final SdkHttpClient.Builder<?> delegate;
        private final URI endpoint;

        private Builder(SdkHttpClient.Builder<?> delegate, URI endpoint) {
            this.delegate = delegate;
            this.endpoint = endpoint;
        }

        @Override
        public SdkHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            return new SerializedHttpClient(delegate.buildWithDefaults(serviceDefaults), endpoint);
        }
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest prepared = delegate.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                lock.lock();
                try {
                    return prepared.call();
                } catch (IOException | RuntimeException | Error e) {
                    prepared.abort();
                    throw e;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void abort() {
                prepared.abort();
            }
        };
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
