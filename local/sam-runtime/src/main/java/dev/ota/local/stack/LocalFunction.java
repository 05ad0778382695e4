package dev.ota.local.stack;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ota.local.rules.RuleRouter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
        try {
            handler.handleRequest(new ByteArrayInputStream(event), out, null);
        } finally {
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
}
