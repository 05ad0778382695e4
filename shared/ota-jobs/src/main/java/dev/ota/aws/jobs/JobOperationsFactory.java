package dev.ota.aws.jobs;

import dev.ota.app.operator.JobOperations;
import dev.ota.app.operator.OperatorException;
import dev.ota.app.operator.Page;
import dev.ota.config.Settings;
import dev.ota.domain.ExecutionStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The one place the management API gets its JobOperations from.
 *
 * <p><b>STUB, to be replaced by the job-engine branch (issue3-engine) on merge.</b> Until then every
 * operation answers OperatorException NOT_FOUND "job engine not deployed". The engine keeps this
 * class name and the signature of {@link #create}, or changes the one call in
 * ManagementApiHandler.
 */
public final class JobOperationsFactory {

    private JobOperationsFactory() {}

    public static JobOperations create(Settings settings, DynamoDbClient dynamo, S3Client s3, IotDataPlaneClient iot, S3Presigner presigner) {
        return new NotDeployed();
    }

    /** Every operation refuses: there is no job engine in this build. */
    static final class NotDeployed implements JobOperations {

        private static OperatorException missing() {
            return new OperatorException(OperatorException.Code.NOT_FOUND, "job engine not deployed");
        }

        @Override public JobView create(CreateJob request) { throw missing(); }
        @Override public JobView describe(String jobId) { throw missing(); }
        @Override public Page<JobView> list(String productId, String nextToken, int limit) { throw missing(); }
        @Override public JobView pause(String jobId) { throw missing(); }
        @Override public JobView resume(String jobId) { throw missing(); }
        @Override public JobView cancel(String jobId) { throw missing(); }
        @Override public DeviceExecutionView cancelDevice(String jobId, String deviceName) { throw missing(); }
        @Override public DeviceExecutionView retryDevice(String jobId, String deviceName) { throw missing(); }
        @Override public JobStatistics statistics(String jobId) { throw missing(); }
        @Override public Page<DeviceExecutionView> devices(String jobId, ExecutionStatus status, String nextToken, int limit) { throw missing(); }
        @Override public DeviceView device(String productId, String deviceName) { throw missing(); }
    }
}
