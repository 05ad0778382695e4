package dev.ota.local.stack;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ota.local.rules.RuleRouter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One function of template.yaml, run in-process as Lambda runs it: the handler the template names,
 * built once (a "container", see {@link LocalHandlers}), called with the event's bytes.
 */
public final class LocalFunction implements RuleRouter.Invocable {

    private final String logicalId;
    private final RequestStreamHandler handler;
    private final AtomicInteger invocations = new AtomicInteger();
    private final LongAdder handlerNanos = new LongAdder();
    private final LongAdder handlerCpuNanos = new LongAdder();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    LocalFunction(String logicalId, RequestStreamHandler handler) {
        this.logicalId = logicalId;
        this.handler = handler;
    }

    public String logicalId() {
        return logicalId;
    }

    @Override
    public byte[] invoke(byte[] event) throws Exception {
        invocations.incrementAndGet();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long start = System.nanoTime();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        try {
            handler.handleRequest(new ByteArrayInputStream(event), out, null);
        } finally {
            handlerCpuNanos.add(THREADS.getCurrentThreadCpuTime() - cpuStart);
            handlerNanos.add(System.nanoTime() - start);
        }
        return out.toByteArray();
    }

    public int invocations() {
        return invocations.get();
    }

    /** Time spent in the handler over all invocations: what Lambda bills as duration (the cost benchmark). */
    public long handlerNanos() {
        return handlerNanos.sum();
    }

    /**
     * CPU time of the handler's own thread over all invocations (the functions' AWS clients are
     * synchronous, so their request and response work runs on it too); the rest of the handler time
     * is waiting on I/O. The cost benchmark scales this part with Lambda's CPU share per memory size.
     */
    public long handlerCpuNanos() {
        return handlerCpuNanos.sum();
    }
}
