package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.s;

import dev.ota.domain.job.JobStatus;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** Condition checks on the job item that transactions include, so a job's state gates its moves atomically. */
final class JobGuards {
    private JobGuards() {}

    static TransactWriteItem inProgress(String table, String jobId) {
        Expression e = new Expression();
        return Transactions.check(
                table,
                Map.of("jobId", s(jobId)),
                e,
                e.name("jobState") + " = " + e.value(s(JobStatus.IN_PROGRESS.name())));
    }

    /** The dynamic job still takes devices that qualify later (cleared on cancel, abort, end, completion). */
    static TransactWriteItem takesLateDevices(String table, String jobId) {
        Expression e = new Expression();
        return Transactions.check(
                table,
                Map.of("jobId", s(jobId)),
                e,
                "attribute_exists(" + e.name(DynamoDbJobRepository.DYNAMIC_PRODUCT) + ")");
    }
}
