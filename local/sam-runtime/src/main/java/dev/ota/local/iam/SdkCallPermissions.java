package dev.ota.local.iam;

import dev.ota.local.template.LocalDeployment;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.iot.model.DescribeThingGroupRequest;
import software.amazon.awssdk.services.iot.model.DescribeThingRequest;
import software.amazon.awssdk.services.iot.model.ListThingsInThingGroupRequest;
import software.amazon.awssdk.services.iot.model.SearchIndexRequest;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListPartsRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectTaggingRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * What IAM checks for an SDK call, as the services document it: the action(s) and the resource
 * ARN(s), with the request's condition keys. One call can need several permissions: a DynamoDB
 * transaction needs each item's own action on its table (there is no {@code TransactWriteItems}
 * action), a batch needs its action on every table it names, a copy needs to read the source and
 * write the destination. A Query or Scan on an index is checked on the index's ARN
 * ({@code table/T/index/I}), as DynamoDB does.
 *
 * <p>A call this table does not know fails loudly ({@link UnmappedCallException}) rather than
 * passing unchecked: adding an SDK call to a function means adding its permissions here.
 */
public final class SdkCallPermissions {

    /** A call the local IAM has no mapping for. */
    public static final class UnmappedCallException extends IllegalStateException {
        public UnmappedCallException(String message) {
            super(message);
        }
    }

    private final LocalDeployment deployment;

    public SdkCallPermissions(LocalDeployment deployment) {
        this.deployment = deployment;
    }

    /** @param operation the SDK's name for the call, e.g. {@code DynamoDb.GetItem}, for messages */
    public List<Permission> of(SdkRequest request, String operation) {
        Set<Permission> needed = new LinkedHashSet<>();
        // ---- DynamoDB ----
        if (request instanceof GetItemRequest r) {
            needed.add(dynamo("GetItem", r.tableName(), null));
        } else if (request instanceof PutItemRequest r) {
            needed.add(dynamo("PutItem", r.tableName(), null));
        } else if (request instanceof UpdateItemRequest r) {
            needed.add(dynamo("UpdateItem", r.tableName(), null));
        } else if (request instanceof DeleteItemRequest r) {
            needed.add(dynamo("DeleteItem", r.tableName(), null));
        } else if (request instanceof QueryRequest r) {
            needed.add(dynamo("Query", r.tableName(), r.indexName()));
        } else if (request instanceof ScanRequest r) {
            needed.add(dynamo("Scan", r.tableName(), r.indexName()));
        } else if (request instanceof DescribeTableRequest r) {
            needed.add(dynamo("DescribeTable", r.tableName(), null));
        } else if (request instanceof BatchGetItemRequest r) {
            r.requestItems().keySet().forEach(table -> needed.add(dynamo("BatchGetItem", table, null)));
        } else if (request instanceof BatchWriteItemRequest r) {
            r.requestItems().keySet().forEach(table -> needed.add(dynamo("BatchWriteItem", table, null)));
        } else if (request instanceof TransactWriteItemsRequest r) {
            for (TransactWriteItem item : r.transactItems()) {
                if (item.put() != null) {
                    needed.add(dynamo("PutItem", item.put().tableName(), null));
                } else if (item.update() != null) {
                    needed.add(dynamo("UpdateItem", item.update().tableName(), null));
                } else if (item.delete() != null) {
                    needed.add(dynamo("DeleteItem", item.delete().tableName(), null));
                } else if (item.conditionCheck() != null) {
                    needed.add(
                            dynamo("ConditionCheckItem", item.conditionCheck().tableName(), null));
                } else {
                    throw new UnmappedCallException(
                            operation + ": a transaction item of a kind the local IAM does not know");
                }
            }
        } else if (request instanceof TransactGetItemsRequest r) {
            for (TransactGetItem item : r.transactItems()) {
                needed.add(dynamo("GetItem", item.get().tableName(), null));
            }
            // ---- S3 ----
        } else if (request instanceof GetObjectRequest r) {
            needed.add(object(r.versionId() == null ? "s3:GetObject" : "s3:GetObjectVersion", r.bucket(), r.key()));
        } else if (request instanceof HeadObjectRequest r) {
            needed.add(object(r.versionId() == null ? "s3:GetObject" : "s3:GetObjectVersion", r.bucket(), r.key()));
        } else if (request instanceof PutObjectRequest r) {
            needed.add(object("s3:PutObject", r.bucket(), r.key()));
        } else if (request instanceof DeleteObjectRequest r) {
            needed.add(
                    object(r.versionId() == null ? "s3:DeleteObject" : "s3:DeleteObjectVersion", r.bucket(), r.key()));
        } else if (request instanceof DeleteObjectsRequest r) {
            r.delete()
                    .objects()
                    .forEach(o -> needed.add(object(
                            o.versionId() == null ? "s3:DeleteObject" : "s3:DeleteObjectVersion",
                            r.bucket(),
                            o.key())));
        } else if (request instanceof CopyObjectRequest r) {
            needed.add(copySource(r.sourceBucket(), r.sourceKey(), r.sourceVersionId(), r.copySource(), operation));
            needed.add(object(
                    "s3:PutObject",
                    r.destinationBucket() != null ? r.destinationBucket() : r.bucket(),
                    r.destinationKey() != null ? r.destinationKey() : r.key()));
        } else if (request instanceof CreateMultipartUploadRequest r) {
            needed.add(object("s3:PutObject", r.bucket(), r.key()));
        } else if (request instanceof UploadPartRequest r) {
            needed.add(object("s3:PutObject", r.bucket(), r.key()));
        } else if (request instanceof UploadPartCopyRequest r) {
            needed.add(copySource(r.sourceBucket(), r.sourceKey(), r.sourceVersionId(), r.copySource(), operation));
            needed.add(object(
                    "s3:PutObject",
                    r.destinationBucket() != null ? r.destinationBucket() : r.bucket(),
                    r.destinationKey() != null ? r.destinationKey() : r.key()));
        } else if (request instanceof CompleteMultipartUploadRequest r) {
            needed.add(object("s3:PutObject", r.bucket(), r.key()));
        } else if (request instanceof AbortMultipartUploadRequest r) {
            needed.add(object("s3:AbortMultipartUpload", r.bucket(), r.key()));
        } else if (request instanceof ListPartsRequest r) {
            needed.add(object("s3:ListMultipartUploadParts", r.bucket(), r.key()));
        } else if (request instanceof GetObjectTaggingRequest r) {
            needed.add(object(
                    r.versionId() == null ? "s3:GetObjectTagging" : "s3:GetObjectVersionTagging", r.bucket(), r.key()));
        } else if (request instanceof PutObjectTaggingRequest r) {
            needed.add(object(
                    r.versionId() == null ? "s3:PutObjectTagging" : "s3:PutObjectVersionTagging", r.bucket(), r.key()));
        } else if (request instanceof ListObjectsV2Request r) {
            needed.add(listBucket(r.bucket(), r.prefix()));
        } else if (request instanceof ListObjectsRequest r) {
            needed.add(listBucket(r.bucket(), r.prefix()));
        } else if (request instanceof HeadBucketRequest r) {
            needed.add(new Permission("s3:ListBucket", bucketArn(r.bucket()), Map.of()));
            // ---- SQS ----
        } else if (request instanceof PutEventsRequest r) {
            // ---- EventBridge: PutEvents on each entry's bus (a name is this account's bus of that name) ----
            for (PutEventsRequestEntry entry : r.entries()) {
                String bus = entry.eventBusName() == null ? "default" : entry.eventBusName();
                needed.add(new Permission(
                        "events:PutEvents",
                        bus.startsWith("arn:")
                                ? bus
                                : "arn:" + deployment.partition() + ":events:" + deployment.region() + ":"
                                        + deployment.accountId() + ":event-bus/" + bus));
            }
        } else if (request instanceof SendMessageRequest r) {
            needed.add(queue("SendMessage", r.queueUrl()));
        } else if (request instanceof SendMessageBatchRequest r) {
            needed.add(queue("SendMessage", r.queueUrl()));
        } else if (request instanceof ReceiveMessageRequest r) {
            needed.add(queue("ReceiveMessage", r.queueUrl()));
        } else if (request instanceof DeleteMessageRequest r) {
            needed.add(queue("DeleteMessage", r.queueUrl()));
        } else if (request instanceof DeleteMessageBatchRequest r) {
            needed.add(queue("DeleteMessage", r.queueUrl()));
        } else if (request instanceof ChangeMessageVisibilityRequest r) {
            needed.add(queue("ChangeMessageVisibility", r.queueUrl()));
        } else if (request instanceof ChangeMessageVisibilityBatchRequest r) {
            needed.add(queue("ChangeMessageVisibility", r.queueUrl()));
        } else if (request instanceof GetQueueAttributesRequest r) {
            needed.add(queue("GetQueueAttributes", r.queueUrl()));
        } else if (request instanceof GetQueueUrlRequest r) {
            String account = r.queueOwnerAWSAccountId() != null ? r.queueOwnerAWSAccountId() : deployment.accountId();
            needed.add(new Permission(
                    "sqs:GetQueueUrl",
                    "arn:" + deployment.partition() + ":sqs:" + deployment.region() + ":" + account + ":"
                            + r.queueName(),
                    Map.of()));
            // ---- Secrets Manager ----
        } else if (request instanceof GetSecretValueRequest r) {
            needed.add(new Permission("secretsmanager:GetSecretValue", secretArn(r.secretId()), Map.of()));
            // ---- IoT Data Plane ----
        } else if (request instanceof PublishRequest r) {
            needed.add(new Permission("iot:Publish", topicArn(r.topic()), Map.of()));
            // ---- IoT control plane (the service authorization reference's resource types) ----
        } else if (request instanceof DescribeThingGroupRequest r) {
            needed.add(new Permission("iot:DescribeThingGroup", iotArn("thinggroup/" + r.thingGroupName()), Map.of()));
        } else if (request instanceof ListThingsInThingGroupRequest r) {
            needed.add(
                    new Permission("iot:ListThingsInThingGroup", iotArn("thinggroup/" + r.thingGroupName()), Map.of()));
        } else if (request instanceof SearchIndexRequest r) {
            needed.add(new Permission(
                    "iot:SearchIndex",
                    iotArn("index/" + (r.indexName() == null ? "AWS_Things" : r.indexName())),
                    Map.of()));
        } else if (request instanceof DescribeThingRequest r) {
            needed.add(new Permission("iot:DescribeThing", iotArn("thing/" + r.thingName()), Map.of()));
        } else {
            throw new UnmappedCallException("local IAM: no permission mapping for " + operation + " ("
                    + request.getClass().getName() + "); add the actions and resources IAM checks for it to "
                    + SdkCallPermissions.class.getSimpleName());
        }
        if (needed.isEmpty()) {
            throw new UnmappedCallException("local IAM: " + operation + " names no resource");
        }
        return new ArrayList<>(needed);
    }

    /** {@code arn:aws:dynamodb:{region}:{account}:table/{table}[/index/{index}]}; a table given as an ARN is kept. */
    public String tableArn(String table, String index) {
        String arn = table.startsWith("arn:")
                ? table
                : "arn:" + deployment.partition() + ":dynamodb:" + deployment.region() + ":" + deployment.accountId()
                        + ":table/" + table;
        return index == null ? arn : arn + "/index/" + index;
    }

    public String objectArn(String bucket, String key) {
        return bucketArn(bucket) + "/" + key;
    }

    public String bucketArn(String bucket) {
        return "arn:" + deployment.partition() + ":s3:::" + bucket;
    }

    /** {@code arn:aws:iot:{region}:{account}:{resource}}. */
    public String iotArn(String resource) {
        return "arn:" + deployment.partition() + ":iot:" + deployment.region() + ":" + deployment.accountId() + ":"
                + resource;
    }

    /** {@code arn:aws:iot:{region}:{account}:topic/{topic}}: the topic as published, {@code $} and all. */
    public String topicArn(String topic) {
        return "arn:" + deployment.partition() + ":iot:" + deployment.region() + ":" + deployment.accountId()
                + ":topic/" + topic;
    }

    /** A queue URL {@code {endpoint}/{account}/{name}} as its ARN {@code arn:aws:sqs:{region}:{account}:{name}}. */
    public String queueArn(String queueUrl) {
        String[] path = URI.create(queueUrl).getPath().split("/");
        if (path.length < 3) {
            throw new UnmappedCallException("local IAM: cannot tell the queue of URL " + queueUrl);
        }
        return "arn:" + deployment.partition() + ":sqs:" + deployment.region() + ":" + path[path.length - 2] + ":"
                + path[path.length - 1];
    }

    private Permission dynamo(String action, String table, String index) {
        return new Permission("dynamodb:" + action, tableArn(table, index), Map.of());
    }

    private Permission object(String action, String bucket, String key) {
        return new Permission(action, objectArn(bucket, key), Map.of());
    }

    /**
     * Reading a copy's source. The SDK hands interceptors the request with the source folded into
     * {@code CopySource} ({@code bucket/key[?versionId=v]}, URL-encoded) and the separate fields cleared.
     */
    private Permission copySource(String bucket, String key, String versionId, String copySource, String operation) {
        if (bucket == null && copySource != null) {
            String source = copySource.startsWith("/") ? copySource.substring(1) : copySource;
            int q = source.indexOf("?versionId=");
            if (q >= 0) {
                versionId = source.substring(q + "?versionId=".length());
                source = source.substring(0, q);
            }
            source = URLDecoder.decode(source.replace("+", "%2B"), StandardCharsets.UTF_8);
            int slash = source.indexOf('/');
            bucket = slash < 0 ? null : source.substring(0, slash);
            key = slash < 0 ? null : source.substring(slash + 1);
        }
        if (bucket == null || key == null) {
            throw new UnmappedCallException("local IAM: " + operation + " names no source object");
        }
        return object(versionId == null ? "s3:GetObject" : "s3:GetObjectVersion", bucket, key);
    }

    private Permission listBucket(String bucket, String prefix) {
        return new Permission(
                "s3:ListBucket", bucketArn(bucket), prefix == null ? Map.of() : Map.of("s3:prefix", List.of(prefix)));
    }

    /** A secret named by its name or ARN; a name gets the six random characters Secrets Manager appends. */
    private String secretArn(String secretId) {
        return secretId.startsWith("arn:")
                ? secretId
                : "arn:" + deployment.partition() + ":secretsmanager:" + deployment.region() + ":"
                        + deployment.accountId() + ":secret:" + secretId + "-" + LOCAL_SECRET_SUFFIX;
    }

    /** What Secrets Manager appends to a secret's name in its ARN; locally always these six. */
    public static final String LOCAL_SECRET_SUFFIX = "l0CaL1";

    private Permission queue(String action, String queueUrl) {
        return new Permission("sqs:" + action, queueArn(queueUrl), Map.of());
    }
}
