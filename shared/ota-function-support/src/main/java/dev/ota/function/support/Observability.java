package dev.ota.function.support;

import com.amazonaws.services.lambda.runtime.Context;
import dev.ota.app.ObservedDeviceStateStore;
import dev.ota.aws.metrics.EmfRolloutMetrics;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.RolloutEvents;
import dev.ota.port.out.RolloutMetrics;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A function's metrics and events, built once per container: EMF metrics to the function's log
 * ({@code METRICS_NAMESPACE}), events where the composition root sends them (EventBridge,
 * {@code EVENT_BUS_NAME}). Each invocation runs
 * inside {@link #begin}: its log lines carry the request id, function version and cold start, and
 * its metrics are written when it ends.
 */
public final class Observability {

    private final RolloutMetrics metrics;
    private final Runnable flush;
    private final Runnable prime;
    private final RolloutEvents events;
    private final AtomicBoolean cold = new AtomicBoolean(true);

    private Observability(RolloutMetrics metrics, Runnable flush, Runnable prime, RolloutEvents events) {
        this.metrics = metrics;
        this.flush = flush;
        this.prime = prime;
        this.events = events;
    }

    /** No metrics, no events (unit tests of handlers); the log context still works. */
    public static Observability none() {
        return new Observability(RolloutMetrics.NONE, () -> {}, () -> {}, RolloutEvents.NONE);
    }

    /**
     * EMF metrics ({@code METRICS_NAMESPACE}) and the events the function's composition root wires:
     * {@link RolloutEvents#NONE} for a function that ends no job or execution, an EventBridge
     * publisher otherwise (built there, so a function without events carries no EventBridge client).
     */
    public static Observability of(Environment env, AwsClients aws, RolloutEvents events) {
        String namespace = env.optional("METRICS_NAMESPACE");
        EmfRolloutMetrics metrics = new EmfRolloutMetrics(namespace == null ? "OTA" : namespace, aws.metricsOutput());
        return new Observability(metrics, metrics::flush, metrics::prime, events);
    }

    /** Before a SnapStart snapshot: the metrics library makes one document and writes none. */
    public void prime() {
        prime.run();
    }

    public RolloutMetrics metrics() {
        return metrics;
    }

    public RolloutEvents events() {
        return events;
    }

    /** The store, telling metrics and events about each execution transition it writes. */
    public DeviceStateStore observed(DeviceStateStore store) {
        return new ObservedDeviceStateStore(store, metrics, events);
    }

    /** One invocation: log context on this thread until {@link Invocation#close()}, which also writes its metrics. */
    public Invocation begin(Context context) {
        boolean coldStart = cold.getAndSet(false);
        StructuredLog.beginInvocation(
                context == null ? null : context.getAwsRequestId(),
                context == null ? null : context.getFunctionVersion(),
                coldStart);
        return new Invocation();
    }

    /** Ends an invocation: metrics written, log context cleared. */
    public final class Invocation implements AutoCloseable {
        @Override
        public void close() {
            try {
                flush.run();
            } finally {
                StructuredLog.endInvocation();
            }
        }
    }
}
