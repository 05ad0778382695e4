package dev.ota.local.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttTopic;
import com.hivemq.client.mqtt.datatypes.MqttTopicFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The local stand-in for the AWS IoT rules engine: each device publish is matched against every
 * rule's FROM filter and WHERE clause, and the SELECTed event goes to the rule's function
 * asynchronously, as AWS invokes Lambda: concurrently, with two retries after an error, and a
 * dead-letter list after the last.
 *
 * <p>Basic Ingest: a publish to {@code $aws/rules/<ruleName>/<topic>} goes to that rule only, as if
 * published to {@code <topic>} ({@code topic(n)} does not count the prefix), and to no other rule.
 *
 * <p>A rule whose action IoT may not perform (no Lambda permission for the rule) does not invoke
 * its function: the rule's error action gets the message, as on AWS, or it is lost when the rule has none.
 */
public final class RuleRouter implements AutoCloseable {

    /** A function as Lambda calls it: event bytes in, response bytes out. */
    public interface Invocable {
        byte[] invoke(byte[] event) throws Exception;
    }

    /**
     * @param actionRefusal why IoT may not perform the rule's action (e.g. no Lambda permission), or
     *     null when it may
     * @param errorAction where a message the action could not take goes, or null (the rule has no ErrorAction)
     */
    public record Route(
            String ruleName,
            IotRuleSql sql,
            List<String> topicFilters,
            String functionName,
            Invocable function,
            String actionRefusal,
            ErrorAction errorAction) {

        public Route(
                String ruleName, IotRuleSql sql, List<String> topicFilters, String functionName, Invocable function) {
            this(ruleName, sql, topicFilters, functionName, function, null, null);
        }
    }

    /** A rule's {@code ErrorAction}. */
    public interface ErrorAction {
        void deliver(RuleError error);
    }

    /** What AWS IoT hands to an error action: the rule, the original message and why its action failed. */
    public record RuleError(
            String ruleName,
            String topic,
            String clientId,
            byte[] originalPayload,
            String failedResource,
            String errorMessage) {}

    /** The Basic Ingest prefix; the level after it names the rule. */
    public static final String BASIC_INGEST_PREFIX = "$aws/rules/";

    public record DeadLetter(String ruleName, String functionName, byte[] event, Throwable error) {}

    private static final int MAX_RETRIES = 2;

    private final ObjectMapper json;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private final ExecutorService invoker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger invocations = new AtomicInteger();
    private final AtomicInteger actionFailures = new AtomicInteger();
    private final AtomicInteger triggered = new AtomicInteger();
    private final Function<Throwable, Void> errorLog;
    private final LongSupplier clock;

    public RuleRouter(ObjectMapper json, int concurrency, Function<Throwable, Void> errorLog) {
        this(json, concurrency, errorLog, System::currentTimeMillis);
    }

    /** @param clock the broker's time for {@code timestamp()}, in epoch milliseconds */
    public RuleRouter(ObjectMapper json, int concurrency, Function<Throwable, Void> errorLog, LongSupplier clock) {
        this.clock = clock;
        this.json = json;
        this.invoker = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "rule-invoker");
            t.setDaemon(true);
            return t;
        });
        this.errorLog = errorLog;
    }

    public void add(Route route) {
        routes.add(route);
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** Called for every client publish the broker sees. */
    public void onPublish(String clientId, String publishedTopic, byte[] payload) {
        JsonNode message = parseJson(payload);
        long receivedAt = clock.getAsLong();
        String basicIngestRule = null;
        String topic = publishedTopic;
        if (publishedTopic.startsWith(BASIC_INGEST_PREFIX)) {
            String rest = publishedTopic.substring(BASIC_INGEST_PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                return;
            }
            basicIngestRule = rest.substring(0, slash);
            topic = rest.substring(slash + 1);
        }
        for (Route route : routes) {
            if (basicIngestRule != null && !basicIngestRule.equals(route.ruleName())) {
                continue;
            }
            String matched = topic;
            if (route.topicFilters().stream().noneMatch(filter -> matches(filter, matched))) {
                continue;
            }
            // AWS bills a rule as triggered when a message reaches it, whatever its WHERE decides.
            triggered.incrementAndGet();
            // The rule's own filter comes first; a match on another (the local $-twin of it) is shown to
            // the SQL as the topic the rule's filter names, so topic() and topic(n) read as they do on AWS.
            String ruleTopic = matches(route.topicFilters().get(0), topic) ? topic : asRuleTopic(topic);
            if (message == null) {
                // As on AWS: a payload that is not JSON has no fields, so a rule that selects fields never fires.
                continue;
            }
            Optional<? extends JsonNode> event = route.sql().apply(json, ruleTopic, message, clientId, receivedAt);
            if (event.isEmpty()) {
                continue;
            }
            if (route.actionRefusal() != null) {
                refused(route, publishedTopic, clientId, payload);
            } else {
                dispatch(route, event.get().toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** MQTT 3.1.1's topic filter matching (HiveMQ's: an empty level is a level, as the specification has it). */
    private static boolean matches(String topicFilter, String topic) {
        return MqttTopicFilter.of(topicFilter).matches(MqttTopic.of(topic));
    }

    /** {@code $ota/x} seen as {@code ota/x} (and the reverse), the local twin topics. */
    private static String asRuleTopic(String topic) {
        return topic.startsWith("$") ? topic.substring(1) : "$" + topic;
    }

    private void refused(Route route, String topic, String clientId, byte[] payload) {
        actionFailures.incrementAndGet();
        RuntimeException refusal = new IllegalStateException(
                "rule " + route.ruleName() + " -> " + route.functionName() + ": " + route.actionRefusal());
        errorLog.apply(refusal);
        if (route.errorAction() != null) {
            route.errorAction()
                    .deliver(new RuleError(
                            route.ruleName(), topic, clientId, payload, route.functionName(), route.actionRefusal()));
        }
    }

    /** Messages whose rule action IoT could not perform (each went to the rule's error action, if any). */
    public int actionFailures() {
        return actionFailures.get();
    }

    private void dispatch(Route route, byte[] event) {
        inFlight.incrementAndGet();
        invoker.execute(() -> {
            try {
                for (int attempt = 0; ; attempt++) {
                    try {
                        invocations.incrementAndGet();
                        route.function().invoke(event);
                        return;
                    } catch (Exception | Error e) {
                        errorLog.apply(e);
                        if (attempt == MAX_RETRIES) {
                            deadLetters.add(new DeadLetter(route.ruleName(), route.functionName(), event, e));
                            return;
                        }
                        sleep(100L << attempt);
                    }
                }
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    /** Waits until no invocation is queued or running, for tests and the demo's summary. */
    public boolean awaitIdle(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (inFlight.get() > 0) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            sleep(10);
        }
        return true;
    }

    public List<DeadLetter> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /** Rules a message reached (its topic matched, or Basic Ingest named the rule): IoT bills each as triggered. */
    public int triggered() {
        return triggered.get();
    }

    public int invocations() {
        return invocations.get();
    }

    private JsonNode parseJson(byte[] payload) {
        try {
            JsonNode node = json.readTree(payload);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        invoker.shutdown();
        try {
            invoker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
