package dev.ota.local.stack;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ota.local.rules.RuleRouter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One function of template.yaml, run in-process as Lambda runs it: the handler class the template
 * names, built once (a "container"), called with the event's bytes.
 */
public final class LocalFunction implements RuleRouter.Invocable {

    private final String logicalId;
    private final RequestStreamHandler handler;
    private final AtomicInteger invocations = new AtomicInteger();

    private LocalFunction(String logicalId, RequestStreamHandler handler) {
        this.logicalId = logicalId;
        this.handler = handler;
    }

    /**
     * Builds the handler through its widest public constructor, passing each parameter by type
     * from {@code dependencies} (settings, SDK clients and the presigning config, pointed at the local stand-ins).
     */
    static LocalFunction create(String logicalId, String handlerSpec, Map<Class<?>, Object> dependencies) {
        String className = handlerSpec.contains("::") ? handlerSpec.substring(0, handlerSpec.indexOf("::")) : handlerSpec;
        try {
            Class<?> type = Class.forName(className);
            Constructor<?> constructor = Arrays.stream(type.getConstructors())
                    .max(Comparator.comparingInt(Constructor::getParameterCount))
                    .orElseThrow(() -> new IllegalStateException(className + " has no public constructor"));
            Object[] args = Arrays.stream(constructor.getParameterTypes())
                    .map(p -> {
                        Object dependency = dependencies.get(p);
                        if (dependency == null) {
                            throw new IllegalStateException(logicalId + ": no local " + p.getSimpleName() + " for " + className);
                        }
                        return dependency;
                    })
                    .toArray();
            return new LocalFunction(logicalId, (RequestStreamHandler) constructor.newInstance(args));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(logicalId + ": cannot build handler " + handlerSpec, e);
        }
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
