package dev.ota.local.stack;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ota.local.rules.RuleRouter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One function of template.yaml, run in-process as Lambda runs it: the handler the template names,
 * built once (a "container", see {@link LocalHandlers}), called with the event's bytes.
 */
public final class LocalFunction implements RuleRouter.Invocable {

    private final String logicalId;
    private final RequestStreamHandler handler;
    private final AtomicInteger invocations = new AtomicInteger();

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
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return out.toByteArray();
    }

    public int invocations() {
        return invocations.get();
    }
}
