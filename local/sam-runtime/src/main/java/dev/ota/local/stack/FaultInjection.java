package dev.ota.local.stack;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Faults at the boundary between the functions and the AWS stand-ins: an SDK execution interceptor
 * on every function's clients that makes chosen calls fail before they reach the stand-in (so the
 * call changes nothing, as a throttled or refused call does), after the SDK's own retries, so the
 * function sees what AWS gives it when retries are used up. Off until a test adds a rule; nothing in
 * it knows OTA.
 */
public final class FaultInjection implements ExecutionInterceptor {

    /**
     * Calls of {@code service} (the SDK's service name: "DynamoDb", "S3", "IotDataPlane", "Sqs")
     * and {@code operation} (null: any) fail with {@code error}: each with probability
     * {@code share}, at most {@code times} times (negative: no limit).
     */
    private record Rule(
            String service, String operation, double share, AtomicInteger left, Supplier<RuntimeException> error) {
        /** One more failure of this rule, unless its count is used up. */
        boolean take() {
            return left.get() == UNLIMITED || left.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0;
        }

        boolean matches(String s, String op) {
            return service.equals(s) && (operation == null || operation.equals(op));
        }
    }

    private static final int UNLIMITED = -1;

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final LongAdder injected = new LongAdder();
    private final Random random;

    public FaultInjection(long seed) {
        this.random = new Random(seed);
    }

    /** The next {@code times} matching calls fail. */
    public FaultInjection failNext(String service, String operation, int times, Supplier<RuntimeException> error) {
        rules.add(new Rule(service, operation, 1.0, new AtomicInteger(times), error));
        return this;
    }

    /** A random {@code share} of matching calls fails, until {@link #clear}. */
    public FaultInjection failShare(String service, String operation, double share, Supplier<RuntimeException> error) {
        rules.add(new Rule(service, operation, share, new AtomicInteger(UNLIMITED), error));
        return this;
    }

    public void clear() {
        rules.clear();
    }

    /** Calls failed so far. */
    public long injected() {
        return injected.sum();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        for (Rule rule : rules) {
            if (!rule.matches(service, operation)) {
                continue;
            }
            boolean hit;
            synchronized (random) {
                hit = random.nextDouble() < rule.share();
            }
            if (hit && rule.take()) {
                injected.increment();
                throw rule.error().get();
            }
        }
    }

    /** An AWS error as the service answers it: {@code status} and {@code code} ("ThrottlingException", "InternalServerError", ...). */
    public static Supplier<RuntimeException> awsError(int status, String code) {
        return () -> AwsServiceException.builder()
                .statusCode(status)
                .message("injected " + code)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage("injected " + code)
                        .build())
                .build();
    }
}
