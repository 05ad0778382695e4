package dev.ota.local.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.local.template.LocalDeployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ListTablesRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.iotdataplane.model.PublishRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;

class SdkCallPermissionsTest {

    private static final String ACCOUNT = "arn:aws:dynamodb:us-east-1:123456789012:table/";
    private final SdkCallPermissions map = new SdkCallPermissions(LocalDeployment.DEFAULT);

    @Test
    void aQueryOnAnIndexIsCheckedOnTheIndex() {
        assertThat(map.of(
                        QueryRequest.builder()
                                .tableName("JobsTable")
                                .indexName("byLive")
                                .build(),
                        "DynamoDb.Query"))
                .containsExactly(new Permission("dynamodb:Query", ACCOUNT + "JobsTable/index/byLive"));
        assertThat(map.of(QueryRequest.builder().tableName("JobsTable").build(), "DynamoDb.Query"))
                .containsExactly(new Permission("dynamodb:Query", ACCOUNT + "JobsTable"));
    }

    @Test
    void aTransactionNeedsEachItemsOwnActionOnItsTable() {
        var request = TransactWriteItemsRequest.builder()
                .transactItems(
                        TransactWriteItem.builder()
                                .update(Update.builder()
                                        .tableName("ExecutionsTable")
                                        .key(Map.of())
                                        .updateExpression("SET a = :a")
                                        .build())
                                .build(),
                        TransactWriteItem.builder()
                                .update(Update.builder()
                                        .tableName("JobsTable")
                                        .key(Map.of())
                                        .updateExpression("SET a = :a")
                                        .build())
                                .build(),
                        TransactWriteItem.builder()
                                .conditionCheck(ConditionCheck.builder()
                                        .tableName("JobsTable")
                                        .key(Map.of())
                                        .conditionExpression("x")
                                        .build())
                                .build(),
                        TransactWriteItem.builder()
                                .put(Put.builder()
                                        .tableName("DevicesTable")
                                        .item(Map.of())
                                        .build())
                                .build())
                .build();

        assertThat(map.of(request, "DynamoDb.TransactWriteItems"))
                .containsExactly(
                        new Permission("dynamodb:UpdateItem", ACCOUNT + "ExecutionsTable"),
                        new Permission("dynamodb:UpdateItem", ACCOUNT + "JobsTable"),
                        new Permission("dynamodb:ConditionCheckItem", ACCOUNT + "JobsTable"),
                        new Permission("dynamodb:PutItem", ACCOUNT + "DevicesTable"));
    }

    @Test
    void aBatchNeedsItsActionOnEveryTable() {
        var get = BatchGetItemRequest.builder()
                .requestItems(Map.of(
                        "JobsTable",
                        KeysAndAttributes.builder()
                                .keys(List.of(Map.of("jobId", AttributeValue.fromS("j"))))
                                .build()))
                .build();
        var write = BatchWriteItemRequest.builder()
                .requestItems(Map.of(
                        "ExecutionsTable",
                        List.of(WriteRequest.builder()
                                .putRequest(PutRequest.builder().item(Map.of()).build())
                                .build())))
                .build();

        assertThat(map.of(get, "DynamoDb.BatchGetItem"))
                .containsExactly(new Permission("dynamodb:BatchGetItem", ACCOUNT + "JobsTable"));
        assertThat(map.of(write, "DynamoDb.BatchWriteItem"))
                .containsExactly(new Permission("dynamodb:BatchWriteItem", ACCOUNT + "ExecutionsTable"));
    }

    @Test
    void s3ObjectCalls() {
        String bucket = "arn:aws:s3:::bkt";
        assertThat(map.of(
                        GetObjectRequest.builder()
                                .bucket("bkt")
                                .key("firmware/P/1/f.bin")
                                .build(),
                        "S3.GetObject"))
                .containsExactly(new Permission("s3:GetObject", bucket + "/firmware/P/1/f.bin"));
        assertThat(map.of(
                        GetObjectRequest.builder()
                                .bucket("bkt")
                                .key("k")
                                .versionId("v1")
                                .build(),
                        "S3.GetObject"))
                .containsExactly(new Permission("s3:GetObjectVersion", bucket + "/k"));
        assertThat(map.of(
                        HeadObjectRequest.builder()
                                .bucket("bkt")
                                .key("device-lists/P/x.txt")
                                .build(),
                        "S3.HeadObject"))
                .containsExactly(new Permission("s3:GetObject", bucket + "/device-lists/P/x.txt"));
        assertThat(map.of(
                        UploadPartRequest.builder()
                                .bucket("bkt")
                                .key("firmware/k")
                                .uploadId("u")
                                .partNumber(1)
                                .build(),
                        "S3.UploadPart"))
                .containsExactly(new Permission("s3:PutObject", bucket + "/firmware/k"));
        assertThat(map.of(
                        ListObjectsV2Request.builder()
                                .bucket("bkt")
                                .prefix("firmware/")
                                .build(),
                        "S3.ListObjectsV2"))
                .containsExactly(new Permission("s3:ListBucket", bucket, Map.of("s3:prefix", List.of("firmware/"))));
    }

    @Test
    void aCopyReadsItsSourceAndWritesItsDestination() {
        var copy = CopyObjectRequest.builder()
                .sourceBucket("bkt")
                .sourceKey("firmware/P/1.0/f w+.bin")
                .destinationBucket("bkt")
                .destinationKey("download-abc")
                .build();
        var folded = CopyObjectRequest.builder()
                .copySource("bkt/firmware/P/1.0/f%20w%2B.bin?versionId=v7")
                .destinationBucket("bkt")
                .destinationKey("download-abc")
                .build();

        assertThat(map.of(copy, "S3.CopyObject"))
                .containsExactly(
                        new Permission("s3:GetObject", "arn:aws:s3:::bkt/firmware/P/1.0/f w+.bin"),
                        new Permission("s3:PutObject", "arn:aws:s3:::bkt/download-abc"));
        assertThat(map.of(folded, "S3.CopyObject"))
                .containsExactly(
                        new Permission("s3:GetObjectVersion", "arn:aws:s3:::bkt/firmware/P/1.0/f w+.bin"),
                        new Permission("s3:PutObject", "arn:aws:s3:::bkt/download-abc"));
    }

    @Test
    void sqsCallsAreCheckedOnTheQueueTheirUrlNames() {
        String url = "http://127.0.0.1:8000/123456789012/JobWorkQueue";
        assertThat(map.of(SendMessageBatchRequest.builder().queueUrl(url).build(), "Sqs.SendMessageBatch"))
                .containsExactly(new Permission("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:JobWorkQueue"));
        assertThat(map.of(DeleteMessageBatchRequest.builder().queueUrl(url).build(), "Sqs.DeleteMessageBatch"))
                .containsExactly(
                        new Permission("sqs:DeleteMessage", "arn:aws:sqs:us-east-1:123456789012:JobWorkQueue"));
    }

    @Test
    void aPublishIsCheckedOnItsTopic() {
        assertThat(map.of(PublishRequest.builder().topic("$ota/update/P1/dev-1").build(), "IoT Data Plane.Publish"))
                .containsExactly(
                        new Permission("iot:Publish", "arn:aws:iot:us-east-1:123456789012:topic/$ota/update/P1/dev-1"));
    }

    @Test
    void aCallWithoutAMappingFailsLoudly() {
        assertThatThrownBy(() -> map.of(ListTablesRequest.builder().build(), "DynamoDb.ListTables"))
                .isInstanceOf(SdkCallPermissions.UnmappedCallException.class)
                .hasMessageContaining("DynamoDb.ListTables");
    }
}
