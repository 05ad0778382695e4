package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.num;
import static dev.ota.aws.dynamodb.Attr.s;
import static dev.ota.aws.dynamodb.Attr.str;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.Job;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.RetryPolicy;
import dev.ota.port.out.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Jobs table: one item per job, holding its definition and its per-status device counts. */
public final class DynamoDbJobStore implements JobStore {

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbJobStore(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    @Override
    public void create(Job job) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("jobId", s(job.jobId()));
        item.put("productId", s(job.productId()));
        item.put("targetVersion", s(job.firmware().version()));
        item.put("s3Key", s(job.firmware().s3Key()));
        item.put("fileSize", n(job.firmware().fileSize()));
        item.put("md5sum", s(job.firmware().md5sum()));
        item.put("maxAttempts", n(job.retryPolicy().maxAttempts()));
        item.put("retryableCodes", s(job.retryPolicy().retryableCodes().stream().sorted().map(String::valueOf).collect(Collectors.joining(","))));
        item.put("retryIntervalMs", n(job.retryPolicy().retryInterval().toMillis()));
        item.put("jobState", s(job.status().name()));
        item.put("targetCount", n(job.targetCount()));
        item.put("createdAt", n(job.createdAt().toEpochMilli()));
        item.put("expanded", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromBool(true));
        // The scheduler completes the job (and it stops counting as a live user of its firmware)
        // once every device finished; it manages nothing else of a job made here.
        item.put(DynamoDbJobRepository.LIVE_KEY, s(DynamoDbJobRepository.LIVE));
        dynamo.putItem(r -> r.tableName(tables.jobs()).item(item)
                .conditionExpression("attribute_not_exists(jobId)"));
    }

    @Override
    public Optional<Job> find(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(tables.jobs()).key(Map.of("jobId", s(jobId))).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        String codes = str(item, "retryableCodes");
        RetryPolicy policy = new RetryPolicy((int) num(item, "maxAttempts", 1),
                codes == null || codes.isEmpty() ? java.util.Set.of() : Arrays.stream(codes.split(",")).map(Integer::valueOf).collect(Collectors.toSet()),
                Duration.ofMillis(num(item, "retryIntervalMs", 0)));
        return Optional.of(new Job(jobId, str(item, "productId"),
                new FirmwareRef(str(item, "targetVersion"), str(item, "s3Key"), num(item, "fileSize", 0), str(item, "md5sum")),
                policy, JobStatus.valueOf(str(item, "jobState")), (int) num(item, "targetCount", 0),
                Instant.ofEpochMilli(num(item, "createdAt", 0))));
    }

    @Override
    public Map<ExecutionStatus, Long> statusCounts(String jobId) {
        Map<ExecutionStatus, Long> counts = new EnumMap<>(ExecutionStatus.class);
        JobCounters.read(dynamo, tables.jobs(), jobId).byStatus().forEach((status, count) -> {
            if (count != 0) {
                counts.put(status, count);
            }
        });
        return counts;
    }
}
