package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.utils.AttributeMap;

/** One call at a time per endpoint, across every client of it; endpoints do not wait for each other. */
class SerializedHttpClientTest {

    // Endpoints of their own: the locks are per host:port for the whole JVM.
    private static final URI ONE = URI.create("http://serialized-test-one.invalid:1");
    private static final URI TWO = URI.create("http://serialized-test-two.invalid:2");

    @Test
    void callsToOneEndpointNeverOverlapEvenFromSeveralClients() throws Exception {
        AtomicInteger active = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        FakeClient delegate = new FakeClient(() -> {
            mostAtOnce.accumulateAndGet(active.incrementAndGet(), Math::max);
            Thread.sleep(5);
            active.decrementAndGet();
        });
        List<SdkHttpClient> clients =
                List.of(new SerializedHttpClient(delegate, ONE), new SerializedHttpClient(delegate, ONE));

        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                SdkHttpClient client = clients.get(i % 2);
                calls.add(threads.submit(() -> call(client, ONE)));
            }
            for (Future<?> c : calls) {
                c.get(10, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(delegate.calls.get()).isEqualTo(20);
        assertThat(mostAtOnce.get()).isEqualTo(1);
    }

    @Test
    void twoEndpointsAreServedAtTheSameTime() throws Exception {
        CountDownLatch bothInside = new CountDownLatch(2);
        FakeClient delegate = new FakeClient(() -> {
            bothInside.countDown();
            // Serialized across endpoints, the first call would wait here for the second, in vain.
            assertThat(bothInside.await(5, TimeUnit.SECONDS)).isTrue();
        });

        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<?> one = threads.submit(() -> call(new SerializedHttpClient(delegate, ONE), ONE));
            Future<?> two = threads.submit(() -> call(new SerializedHttpClient(delegate, TWO), TWO));
            one.get(10, TimeUnit.SECONDS);
            two.get(10, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        assertThat(delegate.calls.get()).isEqualTo(2);
    }

    /**
     * A call that fails half-way (the AWS SDK's request body stream throws when the calling thread is
     * interrupted, after the headers went out) is aborted, so its connection is closed: left open, the
     * server waits for the rest of the request for good (moto_server, behind its one lock, then answers
     * nobody). The next call gets the lock.
     */
    @Test
    void aCallThatFailsHalfWayIsAbortedAndReleasesTheEndpoint() throws Exception {
        URI endpoint = URI.create("http://serialized-test-abort.invalid:3");
        AtomicInteger n = new AtomicInteger();
        FakeClient delegate = new FakeClient(() -> {
            if (n.incrementAndGet() == 1) {
                throw new java.io.InterruptedIOException("body stream aborted");
            }
        });
        SdkHttpClient client = new SerializedHttpClient(delegate, endpoint);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> call(client, endpoint))
                .hasRootCauseInstanceOf(java.io.InterruptedIOException.class);
        assertThat(delegate.aborted.get()).isEqualTo(1);

        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertThat(other.submit(() -> call(client, endpoint))
                            .get(5, TimeUnit.SECONDS)
                            .httpResponse()
                            .statusCode())
                    .isEqualTo(200);
        } finally {
            other.shutdownNow();
        }
        assertThat(delegate.aborted.get()).isEqualTo(1);
    }

    @Test
    void theBuilderWrapsWhatTheDelegateBuilds() {
        FakeClient delegate = new FakeClient(() -> {});
        SdkHttpClient client =
                SerializedHttpClient.builder(new FakeBuilder(delegate), ONE).buildWithDefaults(AttributeMap.empty());

        assertThat(client).isInstanceOf(SerializedHttpClient.class);
        assertThat(client.clientName()).isEqualTo("fake");
        client.close();
        assertThat(delegate.closed).isTrue();
    }

    private static HttpExecuteResponse call(SdkHttpClient client, URI endpoint) throws Exception {
        HttpExecuteRequest request = HttpExecuteRequest.builder()
                .request(SdkHttpRequest.builder()
                        .method(SdkHttpMethod.POST)
                        .uri(endpoint)
                        .build())
                .build();
        return client.prepareRequest(request).call();
    }

    private record FakeBuilder(SdkHttpClient client) implements SdkHttpClient.Builder<FakeBuilder> {
        @Override
        public SdkHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            return client;
        }
    }

    interface Work {
        void run() throws Exception;
    }

    private static final class FakeClient implements SdkHttpClient {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger aborted = new AtomicInteger();
        final Work work;
        volatile boolean closed;

        FakeClient(Work work) {
            this.work = work;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    try {
                        work.run();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    calls.incrementAndGet();
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200).build())
                            .build();
                }

                @Override
                public void abort() {
                    aborted.incrementAndGet();
                }
            };
        }

        @Override
        public String clientName() {
            return "fake";
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
