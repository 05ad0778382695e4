package dev.ota.aws.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ota.domain.ExecutionStatus;
import dev.ota.port.out.RolloutMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.model.Unit;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;

/**
 * {@link RolloutMetrics} in CloudWatch Embedded Metric Format, through AWS's aws-embedded-metrics
 * library: the values of one invocation are collected per thread and written by {@link #flush()} as
 * one EMF document per dimension set, to the function's log (CloudWatch Logs extracts the
 * metrics; no PutMetricData call, no IAM permission). Names and dimensions are in
 * docs/operations.md, "Monitoring".
 *
 * <p>The library's own environment detection is skipped: the documents go to the output given
 * (stdout on Lambda), so nothing is probed at cold start.
 */
public final class EmfRolloutMetrics implements RolloutMetrics {

    private final String namespace;
    private final Environment environment;
    private final ThreadLocal<Map<List<String>, Map<String, List<Double>>>> pending =
            ThreadLocal.withInitial(LinkedHashMap::new);

    /**
     * @param namespace the CloudWatch namespace ({@code METRICS_NAMESPACE})
     * @param out where each EMF document (one JSON line) goes: stdout on Lambda
     */
    public EmfRolloutMetrics(String namespace, Consumer<String> out) {
        this.namespace = namespace;
        this.environment = new OutputEnvironment(out);
    }

    /** One dimension set as [name, value, name, value, ...]; empty for the metric without dimensions. */
    private void add(String metric, double value, String... dimensions) {
        pending.get()
                .computeIfAbsent(List.of(dimensions), d -> new LinkedHashMap<>())
                .computeIfAbsent(metric, m -> new ArrayList<>())
                .add(value);
    }

    @Override
    public void reportRejected(String type, String reason) {
        add("ReportsRejected", 1, "Type", type, "Reason", reason);
    }

    @Override
    public void updateSent(UpdateKind kind) {
        add("UpdatesSent", 1, "Kind", kind.name());
    }

    @Override
    public void executionChanged(ExecutionStatus from, ExecutionStatus to, int resultCode) {
        switch (to) {
            case DOWNLOADING -> add("ExecutionsDownloading", 1);
            case BURNING -> add("ExecutionsBurning", 1);
            case SUCCEEDED -> add("ExecutionsSucceeded", 1);
            case FAILED, TIMED_OUT -> {
                add("ExecutionsFailed", 1);
                if (resultCode == -3) {
                    add("UrlExpired", 1);
                } else if (resultCode == -4) {
                    add("Md5Mismatch", 1);
                }
            }
            case RETRY_PENDING -> {
                // A failed attempt that will be retried: not finished, but its cause counts.
                if (resultCode == -3) {
                    add("UrlExpired", 1);
                } else if (resultCode == -4) {
                    add("Md5Mismatch", 1);
                }
                return;
            }
            case CANCELED -> {
                // finished, counted below only
            }
            default -> {
                return;
            }
        }
        if (to.terminal()) {
            add(
                    "ExecutionsFinished",
                    1,
                    "Outcome",
                    to.name(),
                    "ResultCode",
                    to == ExecutionStatus.TIMED_OUT ? "timeout" : String.valueOf(resultCode));
        }
    }

    @Override
    public void devicesReleased(int count) {
        if (count > 0) {
            add("DevicesReleased", count);
        }
    }

    @Override
    public void schedulerLag(Duration lag) {
        add("SchedulerLagSeconds", lag.toMillis() / 1000.0);
    }

    @Override
    public void jobProgress(String jobId, double percentDone) {
        add("JobPercentDone", percentDone, "JobId", jobId);
    }

    @Override
    public void jobStoppedByThreshold(String jobId) {
        add("JobsStoppedByThreshold", 1);
    }

    /** Writes what this thread's invocation recorded, one EMF document per dimension set, and forgets it. */
    public void flush() {
        Map<List<String>, Map<String, List<Double>>> byDimensions = pending.get();
        if (byDimensions.isEmpty()) {
            return;
        }
        try {
            byDimensions.forEach((dimensions, metrics) -> write(environment, dimensions, metrics));
        } finally {
            byDimensions.clear();
        }
    }

    /**
     * Before a SnapStart snapshot: one EMF document made and serialized by the library, then thrown
     * away (nothing is written, nothing recorded), so that a restored container's first flush finds
     * the library loaded rather than paying its first document (about 100 ms, docs/benchmarks.md).
     */
    public void prime() {
        write(new OutputEnvironment(document -> {}), List.of("Kind", "prime"), Map.of("UpdatesSent", List.of(0.0)));
    }

    private void write(Environment to, List<String> dimensions, Map<String, List<Double>> metrics) {
        MetricsLogger logger = new MetricsLogger(to);
        logger.setNamespace(namespace);
        DimensionSet set = new DimensionSet();
        for (int i = 0; i + 1 < dimensions.size(); i += 2) {
            set.addDimension(dimensions.get(i), dimensions.get(i + 1));
        }
        // Replaces the library's default dimensions (log group, service): each would multiply the metrics
        // billed.
        logger.setDimensions(false, set);
        metrics.forEach((name, values) -> {
            Unit unit =
                    name.endsWith("Seconds") ? Unit.SECONDS : name.startsWith("JobPercent") ? Unit.PERCENT : Unit.COUNT;
            values.forEach(v -> logger.putMetric(name, v, unit));
        });
        logger.flush();
    }

    /** The library's Environment, reduced to its sink: EMF documents to an output. */
    private static final class OutputEnvironment implements Environment {
        private final ISink sink;

        OutputEnvironment(Consumer<String> out) {
            this.sink = new ISink() {
                @Override
                public void accept(MetricsContext context) {
                    try {
                        context.serialize().forEach(out);
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("EMF serialization failed", e);
                    }
                }

                @Override
                public CompletableFuture<Void> shutdown() {
                    return CompletableFuture.completedFuture(null);
                }
            };
        }

        @Override
        public boolean probe() {
            return true;
        }

        @Override
        public String getName() {
            return "Lambda";
        }

        @Override
        public String getType() {
            return "AWS::Lambda::Function";
        }

        @Override
        public String getLogGroupName() {
            return null;
        }

        @Override
        public void configureContext(MetricsContext context) {}

        @Override
        public ISink getSink() {
            return sink;
        }
    }
}
