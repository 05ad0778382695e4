package dev.ota.local.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.aws.presign.PresignConfig;
import dev.ota.config.Settings;
import dev.ota.local.LocalAws;
import dev.ota.local.LocalClients;
import dev.ota.local.RepoRoot;
import dev.ota.local.rules.IotRuleSql;
import dev.ota.local.rules.RuleRouter;
import dev.ota.local.template.SamTemplate;
import dev.ota.protocol.ProtocolJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.iotdataplane.IotDataPlaneClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Everything that runs in AWS, on this machine, built from template.yaml: the tables it declares,
 * a firmware bucket, an MQTT broker, an IoT Data Plane endpoint, and its functions run in-process
 * behind a rules router that executes the template's own IoT rule SQL.
 *
 * <p>Devices may use Tencent's {@code $ota/...} topics or AWS's {@code ota/...}: every rule also
 * listens on the {@code $}-prefixed twin of its filter, and every update publish is mirrored to
 * the twin topic (see docs/local.md).
 */
public final class LocalStack implements AutoCloseable {

    public static final String BUCKET = "ota-firmware-local";

    public record Options(Path template, LocalAws.Ports ports, int invokerThreads, Map<String, String> parameterOverrides) {
        public static Options defaults() {
            return new Options(RepoRoot.find().resolve("template.yaml"), LocalAws.Ports.free(), 4, Map.of());
        }

        public Options withPorts(LocalAws.Ports p) {
            return new Options(template, p, invokerThreads, parameterOverrides);
        }
    }

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final LocalAws aws;
    private final AwsCallCounter calls = new AwsCallCounter();
    private final Map<String, LocalFunction> functions = new LinkedHashMap<>();
    private final RuleRouter router;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private LocalStack(Options options) {
        this.aws = LocalAws.start(options.ports());
        this.router = new RuleRouter(json, options.invokerThreads(), e -> null);
        try {
            SamTemplate template = SamTemplate.load(options.template(), options.parameterOverrides());
            createTables(template);
            aws.s3().createBucket(b -> b.bucket(BUCKET));
            wireFunctions(template);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static LocalStack start(Options options) {
        return new LocalStack(options);
    }

    public static LocalStack start() {
        return start(Options.defaults());
    }

    private void createTables(SamTemplate template) {
        DynamoDbClient dynamo = aws.dynamoDb();
        for (SamTemplate.TableSpec table : template.tables()) {
            Map<String, String> types = new LinkedHashMap<>();
            table.keys().forEach(k -> types.put(k.attribute(), k.type()));
            table.indexes().forEach(i -> i.keys().forEach(k -> types.put(k.attribute(), k.type())));
            List<GlobalSecondaryIndex> indexes = table.indexes().stream()
                    .map(i -> GlobalSecondaryIndex.builder().indexName(i.name()).keySchema(keySchema(i.keys()))
                            .projection(p -> p.projectionType(ProjectionType.ALL)).build())
                    .toList();
            dynamo.createTable(r -> {
                r.tableName(table.logicalId())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(keySchema(table.keys()))
                        .attributeDefinitions(types.entrySet().stream()
                                .map(e -> AttributeDefinition.builder().attributeName(e.getKey()).attributeType(e.getValue()).build())
                                .toList());
                if (!indexes.isEmpty()) {
                    r.globalSecondaryIndexes(indexes);
                }
            });
        }
    }

    private static List<KeySchemaElement> keySchema(List<SamTemplate.KeyElement> keys) {
        return keys.stream().map(k -> KeySchemaElement.builder().attributeName(k.attribute()).keyType(k.keyType()).build()).toList();
    }

    private void wireFunctions(SamTemplate template) {
        ClientOverrideConfiguration counted = ClientOverrideConfiguration.builder().addExecutionInterceptor(calls).build();
        DynamoDbClient dynamo = track(LocalClients.dynamoDb(aws.dynamoDbEndpoint(), counted));
        S3Client s3 = track(LocalClients.s3(aws.s3Endpoint(), counted));
        S3Presigner presigner = track(LocalClients.s3Presigner(aws.s3Endpoint()));
        PresignConfig presign = LocalClients.presignConfig(aws.s3Endpoint());
        IotDataPlaneClient iot = track(LocalClients.iotDataPlane(aws.iotDataEndpoint(), counted));
        for (SamTemplate.FunctionSpec spec : template.functions()) {
            Map<String, String> env = new LinkedHashMap<>(spec.environment());
            env.put("FIRMWARE_BUCKET", BUCKET);
            env.put("IOT_DATA_ENDPOINT", aws.iotDataEndpoint().toString());
            Map<Class<?>, Object> dependencies = Map.of(
                    Settings.class, Settings.from(env),
                    DynamoDbClient.class, dynamo,
                    S3Client.class, s3,
                    S3Presigner.class, presigner,
                    PresignConfig.class, presign,
                    IotDataPlaneClient.class, iot);
            LocalFunction function = LocalFunction.create(spec.logicalId(), spec.handler(), dependencies);
            functions.put(spec.logicalId(), function);
            for (SamTemplate.IotRule rule : spec.iotRules()) {
                if (!"2016-03-23".equals(rule.sqlVersion())) {
                    throw new IotRuleSql.UnsupportedRuleException(spec.logicalId() + "." + rule.name() + ": AwsIotSqlVersion must be 2016-03-23");
                }
                IotRuleSql sql = IotRuleSql.parse(rule.sql());
                String filter = sql.topicFilter();
                router.add(new RuleRouter.Route(rule.name(), sql, List.of(filter, twinTopic(filter)), spec.logicalId(), function));
            }
        }
        aws.broker().addClientPublishListener(p -> router.onPublish(p.clientId(), p.topic(), p.payload()));
        aws.iotDataServer().mirrorTo(LocalStack::twinTopic);
    }

    /** {@code ota/x} ↔ {@code $ota/x}. */
    static String twinTopic(String topic) {
        return topic.startsWith("$") ? topic.substring(1) : "$" + topic;
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    /** Invokes a function directly, as {@code aws lambda invoke} does; returns its response. */
    public byte[] invoke(String logicalId, byte[] event) throws Exception {
        LocalFunction function = functions.get(logicalId);
        if (function == null) {
            throw new IllegalArgumentException("no function " + logicalId + " in template.yaml; have " + functions.keySet());
        }
        return function.invoke(event);
    }

    public LocalAws aws() {
        return aws;
    }

    public AwsCallCounter calls() {
        return calls;
    }

    public RuleRouter router() {
        return router;
    }

    public Map<String, LocalFunction> functions() {
        return Map.copyOf(functions);
    }

    public String mqttUrl() {
        return aws.mqttUrl();
    }

    @Override
    public void close() {
        router.close();
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing local clients cannot fail in a way that matters
            }
        }
        aws.close();
    }
}
