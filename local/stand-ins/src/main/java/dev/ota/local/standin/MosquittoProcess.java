package dev.ota.local.standin;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's {@code mosquitto} as a child process on 127.0.0.1, on a port of its own that only
 * clients with this broker's secret may use (its password file has one user). No persistence. Its
 * log (errors, warnings, notices; no per-connection lines) goes to this JVM's log, logger
 * {@code dev.ota.local.standin.mosquitto}: errors and warnings at WARN, the rest at DEBUG.
 *
 * <p>It ends with this JVM: a shutdown hook stops it, and where util-linux's {@code setpriv} is
 * available it is started with a parent-death signal, so it goes even when the JVM is killed. That
 * signal follows the thread that started the process, so every start happens on one thread that
 * lives as long as the JVM.
 */
final class MosquittoProcess implements AutoCloseable {

    /** Overrides where the mosquitto binary is. */
    static final String EXECUTABLE_ENV = "OTA_MOSQUITTO";

    private static final Logger LOG = LoggerFactory.getLogger("dev.ota.local.standin.mosquitto");
    private static final String HOST = "127.0.0.1";
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stand-in-process-spawner");
        t.setDaemon(true);
        return t;
    });

    private final Path directory;
    private final Process process;
    private final Thread shutdownHook;
    private final int port;
    private final Deque<String> recentLines = new ArrayDeque<>();

    private MosquittoProcess(Path directory, Process process, int port) {
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.shutdownHook = new Thread(this::stop, "mosquitto-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Thread reader = new Thread(this::relayLog, "mosquitto-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts mosquitto on a free port with one user, {@code user} with {@code password}. */
    static MosquittoProcess start(String user, String password) {
        Path executable = locate("mosquitto", EXECUTABLE_ENV);
        Path passwd = executable.resolveSibling("mosquitto_passwd");
        Path passwdTool = Files.isExecutable(passwd)
                ? passwd
                : onPath("mosquitto_passwd")
                        .or(() -> Optional.of(Path.of("/usr/bin/mosquitto_passwd")))
                        .filter(Files::isExecutable)
                        .orElseThrow(
                                () -> new IllegalStateException(
                                        "mosquitto_passwd not found (Debian package mosquitto; scripts/bootstrap.sh installs it)"));
        Path directory;
        try {
            directory = Files.createTempDirectory("ota-mosquitto-");
            Path passwordFile = directory.resolve("passwd");
            run(List.of(passwdTool.toString(), "-b", "-c", passwordFile.toString(), user, password));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare mosquitto's files", e);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = FreePort.find();
            Path config = directory.resolve("mosquitto.conf");
            try {
                Files.writeString(config, config(port, directory.resolve("passwd")));
                Process process = spawn(executable, config);
                MosquittoProcess started = new MosquittoProcess(directory, process, port);
                if (started.awaitListening()) {
                    return started;
                }
                last = new IllegalStateException("mosquitto did not start on " + HOST + ":" + port + ": "
                        + String.join(" | ", started.recentLines()));
                started.stop();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + executable, e);
            }
        }
        deleteQuietly(directory);
        throw last;
    }

    static String config(int port, Path passwordFile) {
        return String.join(
                "\n",
                "# Written by MosquittoProcess (local/stand-ins): the broker behind MqttFront.",
                "per_listener_settings false",
                // Run as root, mosquitto would switch to the user "mosquitto", who cannot read this JVM's
                // temporary files: it stays the user that started it.
                "user " + System.getProperty("user.name"),
                "listener " + port + " " + HOST,
                "allow_anonymous false",
                "password_file " + passwordFile,
                "persistence false",
                "set_tcp_nodelay true",
                // Every device has one connection; mosquitto's defaults for in-flight and queued
                // messages per client hold for a device. The front and the cloud's publisher are
                // one user but many connections, each with its own limits.
                "max_inflight_messages 20",
                "max_queued_messages 1000",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "log_type notice",
                "connection_messages false",
                "log_timestamp false",
                "");
    }

    private static Process spawn(Path executable, Path config) throws IOException {
        List<String> command = new ArrayList<>();
        Optional<Path> setpriv = onPath("setpriv")
                .or(() -> Optional.of(Path.of("/usr/bin/setpriv")))
                .filter(Files::isExecutable);
        setpriv.ifPresent(p -> command.addAll(List.of(p.toString(), "--pdeathsig", "TERM", "--")));
        command.addAll(List.of(executable.toString(), "-c", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        try {
            return SPAWNER.submit(builder::start).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting mosquitto", e);
        }
    }

    /** Whether the listener came up; false when mosquitto exited (e.g. its port was taken meanwhile). */
    private boolean awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 200);
                return process.isAlive();
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        return false;
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines mosquitto logged, for error messages. */
    synchronized List<String> recentLines() {
        return List.copyOf(recentLines);
    }

    private void relayLog() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (this) {
                    recentLines.addLast(line);
                    if (recentLines.size() > 20) {
                        recentLines.removeFirst();
                    }
                }
                if (line.contains("should not be run as root")) {
                    // Expected where the stack itself runs as root (it keeps the user, see config()).
                    LOG.debug("mosquitto: {}", line);
                } else if (line.startsWith("Error") || line.contains(" Error:")) {
                    LOG.warn("mosquitto: {}", line);
                } else if (line.startsWith("Warning") || line.contains(" Warning:")) {
                    LOG.warn("mosquitto: {}", line);
                } else {
                    LOG.debug("mosquitto: {}", line);
                }
            }
        } catch (IOException closed) {
            // the process is gone
        }
        if (process.isAlive()) {
            return;
        }
        int status = process.exitValue();
        // 0 after our stop (SIGTERM is handled), anything else is worth knowing about.
        if (status != 0 && status != 143) {
            LOG.warn("mosquitto exited with status {}", status);
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to
        }
    }

    private void stop() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteQuietly(directory);
    }

    static Path locate(String name, String envOverride) {
        String fromEnv = System.getenv(envOverride);
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path path = Path.of(fromEnv);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(envOverride + "=" + fromEnv + " is not an executable file");
            }
            return path;
        }
        return onPath(name)
                .or(() -> Optional.of(Path.of("/usr/sbin", name)))
                .filter(Files::isExecutable)
                .orElseThrow(() -> new IllegalStateException(name + " not found: `apt-get install " + name
                        + "` (scripts/bootstrap.sh does), or set " + envOverride));
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

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(command.get(0) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary directory
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting mosquitto", e);
        }
    }
}
