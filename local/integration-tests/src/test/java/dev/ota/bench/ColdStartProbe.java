package dev.ota.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs inside a fresh JVM whose classpath is one function's deployable jar: constructs the handler
 * (Lambda's INIT) and invokes it twice (the first and a warm invocation), then prints the times as
 * one JSON line. References only the JDK and the Lambda interface, so it loads nothing extra.
 */
public final class ColdStartProbe {
    /** Where this class (and the rest of the bench's test classes) is loaded from: a child JVM's classpath entry. */
    public static Path classesLocation() throws java.net.URISyntaxException {
        return Path.of(ColdStartProbe.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }

    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        long t0 = System.nanoTime();
        RequestStreamHandler handler =
                (RequestStreamHandler) Class.forName(args[0]).getConstructor().newInstance();
        if (args.length > 2 && args[2].equals("primed")) {
            // What SnapStart does before its snapshot; the restored container then starts here.
            // Reflection, because a function without priming has no org.crac on its classpath.
            for (java.lang.reflect.Method m : handler.getClass().getMethods()) {
                if (m.getName().equals("beforeCheckpoint") && m.getParameterCount() == 1) {
                    m.invoke(handler, (Object) null);
                }
            }
            t0 = System.nanoTime();
        }
        long t1 = System.nanoTime();
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), first, null);
        long t2 = System.nanoTime();
        long firstResponseAt = System.currentTimeMillis();
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), null);
        long t3 = System.nanoTime();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.printf(
                "COLDSTART {\"firstResponseAtMs\":%d,\"jvmToMainMs\":%d,\"initMs\":%.1f,\"firstInvokeMs\":%.1f,\"warmInvokeMs\":%.1f,\"response\":%s}%n",
                firstResponseAt,
                mainAt - jvmStart,
                (t1 - t0) / 1e6,
                (t2 - t1) / 1e6,
                (t3 - t2) / 1e6,
                first.toString().isEmpty() ? "null" : first.toString());
    }
}
