package dev.ota.local.standin;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/** What the local stack's small HTTP endpoints share: daemon threads, one root handler, a loopback URL. */
public final class LoopbackHttp {

    private LoopbackHttp() {}

    /** Daemon threads, so a forgotten endpoint never keeps a test JVM alive. */
    public static ThreadFactory daemonThreads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Serves every path with {@code handler} on {@code executor} and starts the server. */
    public static void serve(HttpServer server, ExecutorService executor, HttpHandler handler) {
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>} of a started server. */
    public static URI endpoint(HttpServer server) {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return URI.create("http://" + server.getAddress().getHostString() + ":"
                + server.getAddress().getPort());
    }
}
