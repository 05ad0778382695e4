package dev.ota.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.cli.console.ConsoleServer;
import dev.ota.local.standin.RepoRoot;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The console's server without a browser: who may call the API through it, what it serves, and that
 * without credentials nothing leaves it. The "API" is a socket that counts the connections it gets.
 */
class ConsoleServerTest {

    private static final AwsCredentialsProvider NO_CREDENTIALS = () -> {
        throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
    };

    private final HttpClient http = HttpClient.newHttpClient();
    private ServerSocket fakeApi;
    private final AtomicInteger connections = new AtomicInteger();
    private ConsoleServer console;

    @BeforeEach
    void start() throws Exception {
        fakeApi = new ServerSocket(0);
        Thread accept = new Thread(() -> {
            while (!fakeApi.isClosed()) {
                try (Socket s = fakeApi.accept()) {
                    connections.incrementAndGet();
                } catch (Exception e) {
                    return;
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
        Api api = new Api(URI.create("http://127.0.0.1:" + fakeApi.getLocalPort()), "us-east-1", NO_CREDENTIALS, null);
        console = ConsoleServer.start(() -> api, 0);
    }

    @AfterEach
    void stop() throws Exception {
        console.close();
        fakeApi.close();
    }

    private String base() {
        return "http://127.0.0.1:" + console.port();
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String sessionCookie() throws Exception {
        HttpResponse<String> opened = get(
                console.sessionUrl().getRawPath() + "?" + console.sessionUrl().getRawQuery(), null);
        assertThat(opened.statusCode()).isEqualTo(303);
        assertThat(opened.headers().firstValue("Location")).hasValue("/");
        String setCookie = opened.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly", "SameSite=Strict");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void listensOnLoopbackAndPrintsASessionUrl() {
        assertThat(console.sessionUrl().toString()).matches("http://127\\.0\\.0\\.1:\\d+/\\?session=[0-9a-f]{48}");
    }

    @Test
    void servesThePagesAndChartJsFromTheJar() throws Exception {
        HttpResponse<String> index = get("/", null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(index.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'");
        assertThat(index.body()).contains("/vendor/chart.umd.min.js", "/app.js").doesNotContain("https://");
        HttpResponse<String> chart = get("/vendor/chart.umd.min.js", null);
        assertThat(chart.body()).startsWith("/*!\n * Chart.js v4.6.1");
        assertThat(get("/app.js", null).headers().firstValue("Content-Type"))
                .hasValue("text/javascript; charset=utf-8");
        assertThat(get("/../console/app.js", null).statusCode()).isEqualTo(404);
        assertThat(get("/nothing.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    void apiCallsWithoutTheSessionCookieAreRefusedBeforeSigning() throws Exception {
        HttpResponse<String> call = get("/api/jobs", null);
        assertThat(call.statusCode()).isEqualTo(403);
        assertThat(Api.JSON.readTree(call.body()).path("code").asText()).isEqualTo("CONSOLE_SESSION");
        HttpResponse<String> wrong = get("/api/jobs", "ota_console=0123");
        assertThat(wrong.statusCode()).isEqualTo(403);
        HttpResponse<String> badSession = get("/?session=guess", null);
        assertThat(badSession.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(connections).hasValue(0);
    }

    @Test
    void anotherHostNameIsRefused() throws Exception {
        String cookie = sessionCookie();
        try (Socket socket = new Socket("127.0.0.1", console.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/jobs HTTP/1.1\r\nHost: evil.example:" + console.port() + "\r\nCookie: " + cookie
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 403").contains("CONSOLE_HOST");
        }
        assertThat(connections).hasValue(0);
    }

    @Test
    void withoutCredentialsEveryCallSaysWhyAndNothingIsSent() throws Exception {
        String cookie = sessionCookie();
        HttpResponse<String> call = get("/api/jobs?limit=5", cookie);
        assertThat(call.statusCode()).isEqualTo(401);
        JsonNode error = Api.JSON.readTree(call.body());
        assertThat(error.path("code").asText()).isEqualTo("NO_CREDENTIALS");
        assertThat(error.path("message").asText()).startsWith("no AWS credentials: Unable to load credentials");

        JsonNode session = Api.JSON.readTree(get("/console/session", cookie).body());
        assertThat(session.path("credentials").asBoolean()).isFalse();
        assertThat(session.path("error").path("code").asText()).isEqualTo("NO_CREDENTIALS");
        assertThat(session.path("apiCalls").asLong()).isZero();

        HttpResponse<String> upload = http.send(
                HttpRequest.newBuilder(URI.create(base() + "/console/upload/u1?productId=P&version=1.0.0"))
                        .header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.ofString("firmware"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).isEqualTo(401);
        assertThat(upload.body()).contains("NO_CREDENTIALS");
        assertThat(connections).as("connections to the API").hasValue(0);
    }

    @Test
    void withoutAnEndpointThePagesSayWhatIsMissing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliEnvironment environment = new CliEnvironment(
                Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                false,
                NO_CREDENTIALS,
                Clock.systemUTC());
        OtaCli cli = new OtaCli(environment);
        try (ConsoleServer unconfigured = ConsoleServer.start(cli::api, 0)) {
            String url = unconfigured.sessionUrl().toString();
            HttpResponse<String> opened =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            String cookie =
                    opened.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            HttpResponse<String> call = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + unconfigured.port() + "/api/jobs"))
                            .header("Cookie", cookie)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(call.statusCode()).isEqualTo(401);
            assertThat(Api.JSON.readTree(call.body()).path("code").asText()).isEqualTo("NOT_CONFIGURED");
            assertThat(call.body()).contains("no API endpoint");
        }
    }

    @Test
    void theDocsStateTheRefreshIntervalAndChartJsVersionTheConsoleHas() throws Exception {
        String app = get("/app.js", null).body();
        String chart = get("/vendor/chart.umd.min.js", null).body();
        Matcher refresh = Pattern.compile("const REFRESH_MS = (\\d+)000;").matcher(app);
        Matcher version = Pattern.compile("Chart\\.js v(\\d+\\.\\d+\\.\\d+)").matcher(chart);
        assertThat(refresh.find()).isTrue();
        assertThat(version.find()).isTrue();
        String operations = Files.readString(RepoRoot.find().resolve("docs/operations.md"));
        assertThat(operations)
                .contains("refreshed every " + refresh.group(1) + " s while the tab is visible")
                .contains("Chart.js " + version.group(1) + " (MIT");
        assertThat(Files.readString(RepoRoot.find().resolve("cli/src/main/resources/console/vendor/README.md")))
                .contains("Chart.js " + version.group(1), "chart.js@" + version.group(1));
    }

    @Test
    void consoleIsACommandWithItsOptions() {
        CliRun help = CliRun.run(Map.of(), NO_CREDENTIALS, "console", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: ota console", "--port", "--no-open", "127.0.0.1");
    }
}
