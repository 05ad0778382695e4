package dev.ota.local.stack;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Counts every AWS API call the functions make, by "Service.Operation", the way AWS bills them:
 * an SDK execution interceptor sees each call once, retries included as separate HTTP attempts
 * are not (a call is a call).
 */
public final class AwsCallCounter implements ExecutionInterceptor {

    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final LongAdder dynamoWriteUnits = new LongAdder();
    private final LongAdder dynamoTransactionItems = new LongAdder();
    private final LongAdder dynamoReadUnitsTimesTwo = new LongAdder();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        calls.computeIfAbsent(service + "." + operation, k -> new LongAdder()).increment();
        estimateCapacity(context.request());
    }

    /**
     * DynamoDB capacity units as on-demand bills them, for items under 1 KB (all of this project's
     * items are): a write 1 unit, a transactional write 2 per item, a strongly consistent read 1,
     * an eventually consistent read 0.5. A failed conditional write is billed too.
     */
    private void estimateCapacity(Object request) {
        if (request instanceof TransactWriteItemsRequest t) {
            dynamoWriteUnits.add(2L * t.transactItems().size());
            dynamoTransactionItems.add(t.transactItems().size());
        } else if (request instanceof UpdateItemRequest
                || request instanceof PutItemRequest
                || request instanceof DeleteItemRequest) {
            dynamoWriteUnits.add(1);
        } else if (request instanceof BatchWriteItemRequest b) {
            b.requestItems().values().forEach(items -> dynamoWriteUnits.add(items.size()));
        } else if (request instanceof GetItemRequest g) {
            dynamoReadUnitsTimesTwo.add(Boolean.TRUE.equals(g.consistentRead()) ? 2 : 1);
        }
    }

    public long dynamoWriteUnits() {
        return dynamoWriteUnits.sum();
    }

    /** Items written (or condition-checked) inside transactions: each is billed 2 of {@link #dynamoWriteUnits()}. */
    public long dynamoTransactionItems() {
        return dynamoTransactionItems.sum();
    }

    /** Read units (halves possible, hence a double). */
    public double dynamoReadUnits() {
        return dynamoReadUnitsTimesTwo.sum() / 2.0;
    }

    /** A sorted copy of the counts so far. */
    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        calls.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    public long total() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public void reset() {
        calls.clear();
        dynamoWriteUnits.reset();
        dynamoTransactionItems.reset();
        dynamoReadUnitsTimesTwo.reset();
    }
}
