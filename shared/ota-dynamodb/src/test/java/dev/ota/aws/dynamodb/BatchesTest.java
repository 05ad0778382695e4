package dev.ota.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.DeviceState;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.device.DeviceId;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobRecord;
import dev.ota.port.out.RolloutStore.QueuedDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * BatchGetItem and BatchWriteItem may process only part of a request and hand back the rest as
 * unprocessed (throttling, size limits). moto_server always processes everything, so a client
 * here holds back half of every other batch call and reports it unprocessed, as DynamoDB would:
 * what it holds back really is not sent, so only a resend gets it written or read.
 */
class BatchesTest extends StoreFixture {

    private final HalfProcessed half = new HalfProcessed();
    private final DynamoDbClient partial = MotoTables.client(
            ClientOverrideConfiguration.builder().addExecutionInterceptor(half).build());
    private final DynamoDbRolloutStore partialRollout = new DynamoDbRolloutStore(partial, tables);
    private final DynamoDbJobRepository partialJobs = new DynamoDbJobRepository(partial, tables);

    @AfterEach
    void close() {
        partial.close();
    }

    @Test
    void everyQueuedRowIsWrittenAndEveryMarkReadThoughBatchesComeBackUnprocessed() {
        JobRecord job = job();
        List<String> names = IntStream.range(0, 30).mapToObj(i -> "d-" + i).toList();

        partialRollout.putQueued(
                job.jobId(),
                job.productId(),
                job.targetVersion(),
                0,
                IntStream.range(0, 30)
                        .mapToObj(i -> new QueuedDevice(names.get(i), i, null))
                        .toList(),
                T0);
        Map<String, Long> marks = partialRollout.expansionMarks(job.jobId(), names);

        assertThat(half.heldBack()).isPositive();
        assertThat(rollout.nextQueued(job.jobId(), 100)).hasSize(30);
        assertThat(marks).hasSize(30).containsOnlyKeys(names);
    }

    @Test
    void everyDeviceItemIsReadThoughBatchesComeBackUnprocessed() {
        String product = MotoTables.id("P");
        List<String> names = IntStream.range(0, 30).mapToObj(i -> "d-" + i).toList();
        names.forEach(n -> devices.recordVersion(new DeviceId(product, n), "1.0.0", T0));

        Map<String, DeviceState> found = partialRollout.devices(product, names);

        assertThat(half.heldBack()).isPositive();
        assertThat(found).hasSize(30).containsOnlyKeys(names);
    }

    @Test
    void everyCounterShardIsReadThoughBatchesComeBackUnprocessed() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobRecord job = job();
            int jobIndex = i;
            queue(
                            job,
                            IntStream.range(0, 4)
                                    .mapToObj(n -> "d-" + jobIndex + "-" + n)
                                    .toArray(String[]::new))
                    .forEach(d -> released(job, d));
            ids.add(job.jobId());
        }

        Map<String, JobCounts> counts = partialJobs.counts(ids);

        assertThat(half.heldBack()).isPositive();
        ids.forEach(
                id -> assertThat(counts.get(id).get(ExecutionStatus.DELIVERED)).isEqualTo(4));
    }

    /** Holds back the second half of every other BatchWriteItem / BatchGetItem and reports it unprocessed. */
    private static final class HalfProcessed implements ExecutionInterceptor {
        private static final ExecutionAttribute<Object> HELD = new ExecutionAttribute<>("heldBack");
        private final AtomicBoolean hold = new AtomicBoolean(true);
        private final AtomicInteger heldBack = new AtomicInteger();

        int heldBack() {
            return heldBack.get();
        }

        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            SdkRequest request = context.request();
            if (request instanceof BatchWriteItemRequest write && hold.getAndSet(false)) {
                Map<String, List<WriteRequest>> sent = new HashMap<>();
                Map<String, List<WriteRequest>> held = new HashMap<>();
                write.requestItems().forEach((table, writes) -> {
                    int keep = (writes.size() + 1) / 2;
                    sent.put(table, writes.subList(0, keep));
                    if (keep < writes.size()) {
                        held.put(table, writes.subList(keep, writes.size()));
                        heldBack.addAndGet(writes.size() - keep);
                    }
                });
                attributes.putAttribute(HELD, held);
                return write.toBuilder().requestItems(sent).build();
            }
            if (request instanceof BatchGetItemRequest get && hold.getAndSet(false)) {
                Map<String, KeysAndAttributes> sent = new HashMap<>();
                Map<String, KeysAndAttributes> held = new HashMap<>();
                get.requestItems().forEach((table, keys) -> {
                    int keep = (keys.keys().size() + 1) / 2;
                    sent.put(
                            table,
                            keys.toBuilder().keys(keys.keys().subList(0, keep)).build());
                    if (keep < keys.keys().size()) {
                        held.put(
                                table,
                                keys.toBuilder()
                                        .keys(keys.keys()
                                                .subList(keep, keys.keys().size()))
                                        .build());
                        heldBack.addAndGet(keys.keys().size() - keep);
                    }
                });
                attributes.putAttribute(HELD, held);
                return get.toBuilder().requestItems(sent).build();
            }
            if (request instanceof BatchWriteItemRequest || request instanceof BatchGetItemRequest) {
                hold.set(true);
            }
            return request;
        }

        @Override
        @SuppressWarnings("unchecked")
        public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
            Object held = attributes.getAttribute(HELD);
            if (held == null) {
                return context.response();
            }
            if (context.response() instanceof BatchWriteItemResponse write) {
                return write.toBuilder()
                        .unprocessedItems((Map<String, List<WriteRequest>>) held)
                        .build();
            }
            if (context.response() instanceof BatchGetItemResponse get) {
                return get.toBuilder()
                        .unprocessedKeys((Map<String, KeysAndAttributes>) held)
                        .build();
            }
            return context.response();
        }
    }
}
