package dev.ota.local.standin;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * DynamoDB stand-in: the Python {@code moto_server} (PyPI {@code moto[server]}) as a child process
 * on 127.0.0.1. Moto serves every AWS service on one port; we use it for DynamoDB only.
 *
 * <p>moto_server is started through its own Python interpreter with {@link #SERIALIZED_MAIN}
 * ({@code moto_server_main.py}), which changes three things:
 * <ul>
 *   <li>Requests are handled one at a time. moto_server serves each connection on its own thread,
 *       but its DynamoDB backend is not thread-safe: two concurrent conditional writes could both
 *       pass, and a cancelled transaction's rollback undid other requests' writes. One lock around
 *       the WSGI application makes every call atomic, as DynamoDB's are, so clients need no
 *       serializing of their own. A request's body is read before the lock is taken: a client that
 *       sent its headers and stopped (the AWS SDK does that when its thread is interrupted while it
 *       writes the body) would otherwise hold the lock for good.</li>
 *   <li>TransactWriteItems journals the items it touches and restores just those when it is
 *       cancelled; moto 5.2.5 deep-copies every table a transaction touches, so each transaction
 *       cost time and memory in proportion to the table's size (8.4 GB at 1,000 devices).
 *       Conditions, their order, the cancellation reasons and GSIs (computed from the items) are
 *       moto's own (MotoTransactionsTest).</li>
 *   <li>moto_server ends when its parent JVM is gone, even after a SIGKILL.</li>
 * </ul>
 */
public final class MotoServer implements AutoCloseable {

    public static final String EXECUTABLE_ENV = "OTA_MOTO_SERVER";
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final int FREE_PORT_ATTEMPTS = 3;

    private final int requestedPort;
    private final Path executable;
    private Process process;
    private Thread shutdownHook;
    private volatile URI endpoint;
    private Path logFile;

    /** Free port, executable found by {@link #locateExecutable()}. */
    public MotoServer() {
        this(0);
    }

    /** @param port 0 for a free port */
    public MotoServer(int port) {
        this(port, locateExecutable());
    }

    public MotoServer(int port, Path executable) {
        this.requestedPort = port;
        this.executable = executable;
    }

    /**
     * Where moto_server is: $OTA_MOTO_SERVER (relative to the repo root), else {repo root}/.venv/bin/moto_server,
     * else moto_server on the PATH.
     */
    public static Path locateExecutable() {
        String fromEnv = System.getenv(EXECUTABLE_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            // A relative path is the repo root's (.venv/bin/moto_server), whichever module's directory Maven runs the
            // tests in.
            Path path = Path.of(fromEnv);
            if (!path.isAbsolute()) {
                path = RepoRoot.tryFind().map(root -> root.resolve(fromEnv)).orElse(path);
            }
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(EXECUTABLE_ENV + "=" + fromEnv + " is not an executable file");
            }
            return path;
        }
        Optional<Path> inVenv = RepoRoot.tryFind()
                .map(root -> root.resolve(".venv/bin/moto_server"))
                .filter(Files::isExecutable);
        return inVenv.or(() -> onPath("moto_server"))
                .orElseThrow(
                        () -> new IllegalStateException("moto_server not found: set " + EXECUTABLE_ENV + ", or run "
                                + "`python3 -m venv .venv && .venv/bin/pip install 'moto[server]'` in the repo root"));
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public synchronized MotoServer start() {
        if (process != null) {
            return this;
        }
        // A free port can be taken between probing and moto binding it; then just try another one.
        int attempts = requestedPort == 0 ? FREE_PORT_ATTEMPTS : 1;
        IllegalStateException last = null;
        for (int i = 0; i < attempts; i++) {
            int port = requestedPort == 0 ? FreePort.find() : requestedPort;
            try {
                launch(port);
                return this;
            } catch (IllegalStateException e) {
                last = e;
                close();
            }
        }
        throw last;
    }

    /**
     * Runs moto_server's own {@code main()} with every request handled under one lock, transactions
     * that journal the items they touch instead of copying whole tables, and a watch on the parent
     * JVM: {@code moto_server_main.py} beside this class (see its comments). The command-line
     * arguments after {@code -c} reach moto unchanged.
     */
    static final String SERIALIZED_MAIN = resource("moto_server_main.py");

    private static String resource(String name) {
        try (var in = MotoServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the stand-ins' resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The command that starts moto_server: through the Python interpreter its script names (its
     * {@code #!} line) with {@link #SERIALIZED_MAIN}, or the executable itself when it is not a
     * Python script.
     */
    static List<String> command(Path executable) {
        Optional<String> python = pythonInterpreter(executable);
        return python.map(p -> List.of(p, "-c", SERIALIZED_MAIN)).orElseGet(() -> List.of(executable.toString()));
    }

    private static Optional<String> pythonInterpreter(Path script) {
        String first;
        try (BufferedReader reader = Files.newBufferedReader(script, StandardCharsets.ISO_8859_1)) {
            first = reader.readLine();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (first == null || !first.startsWith("#!")) {
            return Optional.empty();
        }
        String[] words = first.substring(2).trim().split("\\s+");
        // "#!/usr/bin/env python3" names the program in its second word.
        String program = words.length > 1 && words[0].endsWith("/env") ? words[1] : words[0];
        String name = program.substring(program.lastIndexOf('/') + 1);
        return name.startsWith("python") ? Optional.of(program) : Optional.empty();
    }

    private void launch(int port) {
        try {
            logFile = Files.createTempFile("moto-server-", ".log");
            logFile.toFile().deleteOnExit();
            List<String> command = new ArrayList<>(command(executable));
            command.addAll(List.of("-H", HOST, "-p", String.valueOf(port)));
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile());
            Map<String, String> env = builder.environment();
            env.put("PYTHONUNBUFFERED", "1");
            env.put("NO_COLOR", "1");
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + executable, e);
        }
        Process started = process;
        shutdownHook = new Thread(() -> destroy(started), "moto-server-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        endpoint = URI.create("http://" + HOST + ":" + port);
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + process.exitValue() + ": " + logTail());
            }
            if (answersDynamoDb() && process.isAlive()) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("moto_server (DynamoDB) did not answer on " + endpoint + ": " + logTail());
    }

    // Ready means DynamoDB answers, not just HTTP: moto loads a service's backend on its first call,
    // so this probe also takes that cost off the first real request.
    private boolean answersDynamoDb() {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
            connection.setConnectTimeout(200);
            connection.setReadTimeout(5000);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("X-Amz-Target", "DynamoDB_20120810.ListTables");
            connection.setRequestProperty("Content-Type", "application/x-amz-json-1.0");
            // moto reads the region from the credential scope and does not check the signature.
            connection.setRequestProperty(
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=local/20240101/" + StandInClients.REGION.id()
                            + "/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
            connection.getOutputStream().write("{}".getBytes(StandardCharsets.UTF_8));
            int status = connection.getResponseCode();
            connection.disconnect();
            return status == 200;
        } catch (IOException notYet) {
            return false;
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

    public Path executable() {
        return executable;
    }

    /** moto_server's stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    /** Drops every table and item (moto's own reset API), so tests can share one server. */
    public void reset() {
        try {
            HttpURLConnection connection = (HttpURLConnection)
                    endpoint().resolve("/moto-api/reset").toURL().openConnection();
            connection.setRequestMethod("POST");
            int status = connection.getResponseCode();
            connection.disconnect();
            if (status != 200) {
                throw new IllegalStateException("moto reset answered " + status);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            destroy(process);
            process = null;
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: nothing left to do
            }
            shutdownHook = null;
        }
        endpoint = null;
    }

    private static void destroy(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logTail() {
        try {
            String log = Files.readString(logFile);
            return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for moto_server", e);
        }
    }
}
