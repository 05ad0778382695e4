package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.s;

import dev.ota.domain.job.JobStatus;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** Condition checks on the job item that transactions include, so a job's state gates its moves atomically. */
final class JobGuards {
    private JobGuards() {}

    static TransactWriteItem inProgress(String table, String jobId) {
        return TransactWriteItem.builder().conditionCheck(ConditionCheck.builder()
                        .tableName(table)
                        .key(Map.of("jobId", s(jobId)))
                        .conditionExpression("#state = :inProgress")
                        .expressionAttributeNames(Map.of("#state", "jobState"))
                        .expressionAttributeValues(Map.of(":inProgress", s(JobStatus.IN_PROGRESS.name())))
                        .build())
                .build();
    }

    /** The dynamic job still takes devices that qualify later (cleared on cancel, abort, end, completion). */
    static TransactWriteItem takesLateDevices(String table, String jobId) {
        return TransactWriteItem.builder().conditionCheck(ConditionCheck.builder()
                        .tableName(table)
                        .key(Map.of("jobId", s(jobId)))
                        .conditionExpression("attribute_exists(#d)")
                        .expressionAttributeNames(Map.of("#d", "dynamicProduct"))
                        .build())
                .build();
    }
}
