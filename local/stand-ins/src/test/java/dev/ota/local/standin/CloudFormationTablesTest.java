package dev.ota.local.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ota.local.standin.CloudFormationTables.Index;
import dev.ota.local.standin.CloudFormationTables.Key;
import dev.ota.local.standin.CloudFormationTables.Projection;
import dev.ota.local.standin.CloudFormationTables.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

class CloudFormationTablesTest {

    private static final String TEMPLATE = """
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              SortAttribute:
                Type: String
                Default: createdAt
            Resources:
              Orders:
                Type: AWS::DynamoDB::Table
                Properties:
                  TableName: !Sub '${AWS::StackName}-orders'
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions:
                    - {AttributeName: orderId, AttributeType: S}
                    - {AttributeName: customer, AttributeType: S}
                    - {AttributeName: !Ref SortAttribute, AttributeType: N}
                    - {AttributeName: state, AttributeType: S}
                  KeySchema:
                    - {AttributeName: orderId, KeyType: HASH}
                  GlobalSecondaryIndexes:
                    - IndexName: byCustomer
                      KeySchema:
                        - {AttributeName: customer, KeyType: HASH}
                        - {AttributeName: !Sub '${SortAttribute}', KeyType: RANGE}
                      Projection:
                        ProjectionType: ALL
                    - IndexName: byState
                      KeySchema:
                        - {AttributeName: state, KeyType: HASH}
                      Projection:
                        ProjectionType: KEYS_ONLY
              Lines:
                Type: AWS::DynamoDB::Table
                Properties:
                  AttributeDefinitions:
                    - {AttributeName: orderId, AttributeType: S}
                    - {AttributeName: line, AttributeType: N}
                    - {AttributeName: sku, AttributeType: S}
                  KeySchema:
                    - {AttributeName: orderId, KeyType: HASH}
                    - {AttributeName: line, KeyType: RANGE}
                  LocalSecondaryIndexes:
                    - IndexName: bySku
                      KeySchema:
                        - {AttributeName: orderId, KeyType: HASH}
                        - {AttributeName: sku, KeyType: RANGE}
                      Projection:
                        ProjectionType: INCLUDE
                        NonKeyAttributes: [quantity]
              Bucket:
                Type: AWS::S3::Bucket
                Properties:
                  BucketName: !Sub 'data-${AWS::AccountId}'
            """;

    @TempDir
    Path dir;

    @Test
    void readsEachTablesKeysIndexesAndProjectionsNamedByLogicalId() throws IOException {
        List<Table> tables = CloudFormationTables.declaredIn(write(TEMPLATE));

        assertThat(tables)
                .containsExactly(
                        new Table(
                                "Orders",
                                List.of(new Key("orderId", "S", "HASH")),
                                List.of(
                                        new Index(
                                                "byCustomer",
                                                List.of(
                                                        new Key("customer", "S", "HASH"),
                                                        new Key("createdAt", "N", "RANGE")),
                                                Projection.ALL),
                                        new Index(
                                                "byState",
                                                List.of(new Key("state", "S", "HASH")),
                                                new Projection("KEYS_ONLY", List.of()))),
                                List.of()),
                        new Table(
                                "Lines",
                                List.of(new Key("orderId", "S", "HASH"), new Key("line", "N", "RANGE")),
                                List.of(),
                                List.of(new Index(
                                        "bySku",
                                        List.of(new Key("orderId", "S", "HASH"), new Key("sku", "S", "RANGE")),
                                        new Projection("INCLUDE", List.of("quantity"))))));
    }

    @Test
    void parameterOverridesReplaceDefaults() throws IOException {
        List<Table> tables = CloudFormationTables.declaredIn(
                CloudFormationYaml.load(
                        write(
                                TEMPLATE.replace(
                                        "- {AttributeName: state, AttributeType: S}",
                                        "- {AttributeName: state, AttributeType: S}\n        - {AttributeName: placedAt, AttributeType: N}"))),
                Map.of("SortAttribute", "placedAt"));

        assertThat(tables.get(0).globalIndexes().get(0).keys()).contains(new Key("placedAt", "N", "RANGE"));
    }

    @Test
    void aKeyWithoutAnAttributeDefinitionIsAnError() throws IOException {
        Path template = write(TEMPLATE.replace("- {AttributeName: state, AttributeType: S}", ""));

        assertThatThrownBy(() -> CloudFormationTables.declaredIn(template))
                .hasMessageContaining("Orders, index byState")
                .hasMessageContaining("state");
    }

    @Test
    void createsTheTablesAsDeclared() throws IOException {
        try (MotoServer moto = new MotoServer().start();
                DynamoDbClient dynamo = StandInClients.dynamoDb(moto.endpoint())) {
            CloudFormationTables.create(dynamo, CloudFormationTables.declaredIn(write(TEMPLATE)));

            assertThat(dynamo.listTables().tableNames()).containsExactlyInAnyOrder("Orders", "Lines");
            TableDescription orders =
                    dynamo.describeTable(r -> r.tableName("Orders")).table();
            assertThat(orders.keySchema())
                    .extracting(k -> k.attributeName() + ":" + k.keyTypeAsString())
                    .containsExactly("orderId:HASH");
            assertThat(orders.globalSecondaryIndexes())
                    .extracting(
                            GlobalSecondaryIndexDescription::indexName,
                            i -> i.projection().projectionTypeAsString())
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("byCustomer", "ALL"),
                            org.assertj.core.groups.Tuple.tuple("byState", "KEYS_ONLY"));
            TableDescription lines =
                    dynamo.describeTable(r -> r.tableName("Lines")).table();
            assertThat(lines.localSecondaryIndexes()).singleElement().satisfies(i -> {
                assertThat(i.indexName()).isEqualTo("bySku");
                assertThat(i.projection().nonKeyAttributes()).containsExactly("quantity");
            });
        }
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve("template.yaml");
        Files.writeString(file, text);
        return file;
    }
}
