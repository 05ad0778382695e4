package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The small HTTP endpoints' shared plumbing, and FreePort. */
class LoopbackHttpTest {

    @Test
    void daemonThreadsWithTheGivenName() {
        Thread thread = LoopbackHttp.daemonThreads("some-endpoint").newThread(() -> {});

        assertThat(thread.isDaemon()).isTrue();
        assertThat(thread.getName()).isEqualTo("some-endpoint");
    }

    @Test
    void servesEveryPathWithOneHandlerAndNamesItsLoopbackUrl() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService executor = Executors.newSingleThreadExecutor(LoopbackHttp.daemonThreads("loopback-test"));
        try {
            LoopbackHttp.serve(server, executor, exchange -> {
                byte[] body = exchange.getRequestURI().getPath().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });

            assertThat(LoopbackHttp.endpoint(server).toString())
                    .isEqualTo("http://127.0.0.1:" + server.getAddress().getPort());
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(LoopbackHttp.endpoint(server).resolve("/any/path"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("/any/path");
        } finally {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Test
    void noEndpointBeforeTheServerExists() {
        assertThatThrownBy(() -> LoopbackHttp.endpoint(null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("not started");
    }

    @Test
    void freePortCanBeBoundOnLoopbackRightAway() throws Exception {
        int port = FreePort.find();

        assertThat(port).isBetween(1, 65535);
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }
}
