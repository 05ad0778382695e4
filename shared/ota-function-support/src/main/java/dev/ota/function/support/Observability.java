package dev.ota.function.support;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.app.ObservedDeviceStateStore;
import dev.ota.aws.eventbridge.EventBridgeRolloutEvents;
import dev.ota.aws.metrics.EmfRolloutMetrics;
import dev.ota.function.support.AwsClients.Service;
import dev.ota.log.StructuredLog;
import dev.ota.port.out.DeviceStateStore;
import dev.ota.port.out.RolloutEvents;
import dev.ota.port.out.RolloutMetrics;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * A function's metrics and events, built once per container: EMF metrics to the function's log
 * ({@code METRICS_NAMESPACE}), events to EventBridge ({@code EVENT_BUS_NAME}). Each invocation runs
 * inside {@link #begin}: its log lines carry the request id, function version and cold start, and
 * its metrics are written when it ends.
 */
public final class Observability {

    private final RolloutMetrics metrics;
    private final Runnable flush;
    private final RolloutEvents events;
    private final AtomicBoolean cold = new AtomicBoolean(true);

    private Observability(RolloutMetrics metrics, Runnable flush, RolloutEvents events) {
        this.metrics = metrics;
        this.flush = flush;
        this.events = events;
    }

    /** No metrics, no events (unit tests of handlers); the log context still works. */
    public static Observability none() {
        return new Observability(RolloutMetrics.NONE, () -> {}, RolloutEvents.NONE);
    }

    /** Metrics, and events only if {@code withEvents} (a function that changes no job or execution has none). */
    public static Observability of(
            Environment env, AwsClients aws, ObjectMapper json, StructuredLog log, boolean withEvents) {
        String namespace = env.optional("METRICS_NAMESPACE");
        EmfRolloutMetrics metrics = new EmfRolloutMetrics(namespace == null ? "OTA" : namespace, aws.metricsOutput());
        RolloutEvents events = RolloutEvents.NONE;
        if (withEvents) {
            String bus = env.optional("EVENT_BUS_NAME");
            events = new EventBridgeRolloutEvents(
                    aws.build(Service.EVENTBRIDGE, EventBridgeClient.builder()),
                    bus == null ? "default" : bus,
                    json,
                    log);
        }
        return new Observability(metrics, metrics::flush, events);
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
