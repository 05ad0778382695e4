package dev.ota.local.iam;

import dev.ota.local.iam.PolicyEvaluator.Decision;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.iotdataplane.model.ForbiddenException;
import software.amazon.awssdk.services.iotdataplane.model.IotDataPlaneRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Request;
import software.amazon.awssdk.services.sqs.model.SqsException;
import software.amazon.awssdk.services.sqs.model.SqsRequest;

/**
 * Checks every call of one function's SDK clients against its execution role before it is sent,
 * and refuses what the role does not allow as the service would: the service's own exception type,
 * status and error code (DynamoDB 400 {@code AccessDeniedException}; S3 403 {@code AccessDenied};
 * SQS 403 {@code AccessDenied}; IoT Data Plane 403 {@code ForbiddenException}), with AWS's message
 * naming the role, the action and the resource. Nothing reaches the stand-in.
 *
 * <p>S3 answers a GetObject or HeadObject of a missing key with 404 only to a caller that may also
 * list the bucket ({@code s3:ListBucket}, with {@code s3:prefix} set to the key); to any other it
 * answers 403. The stand-in always says 404, so the answer is turned into S3's 403 here.
 */
public final class RoleEnforcer implements ExecutionInterceptor {

    private final LocalIam iam;
    private final LocalIam.Role role;

    RoleEnforcer(LocalIam iam, LocalIam.Role role) {
        this.iam = iam;
        this.role = role;
    }

    public LocalIam.Role role() {
        return role;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        String operation = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        List<Permission> needed = iam.permissions().of(request, operation);
        iam.countCall();
        for (Permission permission : needed) {
            Decision decision = iam.check(role, permission);
            if (!decision.allowed()) {
                String message = iam.message(role, permission, decision);
                iam.countDenied();
                iam.recordDenial(role, permission, message);
                throw accessDenied(request, message);
            }
        }
    }

    @Override
    public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable e = context.exception();
        if (!(e instanceof S3Exception s3) || s3.statusCode() != 404) {
            return e;
        }
        String bucket;
        String key;
        if (context.request() instanceof GetObjectRequest g) {
            bucket = g.bucket();
            key = g.key();
        } else if (context.request() instanceof HeadObjectRequest h) {
            bucket = h.bucket();
            key = h.key();
        } else {
            return e;
        }
        Permission list =
                new Permission("s3:ListBucket", iam.permissions().bucketArn(bucket), Map.of("s3:prefix", List.of(key)));
        Decision decision = iam.check(role, list);
        if (decision.allowed()) {
            return e;
        }
        String message = iam.message(role, list, decision)
                + " (S3 answers 403 for a missing key to a caller that may not list it)";
        iam.recordDenial(role, list, message);
        return accessDenied(context.request(), message);
    }

    /** The refusal the service itself would send, as the SDK would have unmarshalled it. */
    static AwsServiceException accessDenied(SdkRequest request, String message) {
        if (request instanceof DynamoDbRequest) {
            return build(DynamoDbException.builder(), 400, "AccessDeniedException", "DynamoDb", message);
        }
        if (request instanceof S3Request) {
            return build(S3Exception.builder(), 403, "AccessDenied", "S3", message);
        }
        if (request instanceof SqsRequest) {
            return build(SqsException.builder(), 403, "AccessDenied", "Sqs", message);
        }
        if (request instanceof IotDataPlaneRequest) {
            return build(ForbiddenException.builder(), 403, "ForbiddenException", "IotDataPlane", message);
        }
        return build(
                AwsServiceException.builder(),
                403,
                "AccessDeniedException",
                request.getClass().getSimpleName(),
                message);
    }

    private static AwsServiceException build(
            AwsServiceException.Builder builder, int status, String code, String service, String message) {
        String requestId = "local-iam-" + Long.toHexString(System.nanoTime());
        return builder.message(message)
                .statusCode(status)
                .requestId(requestId)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(message)
                        .serviceName(service)
                        .sdkHttpResponse(
                                SdkHttpResponse.builder().statusCode(status).build())
                        .build())
                .build();
    }
}
