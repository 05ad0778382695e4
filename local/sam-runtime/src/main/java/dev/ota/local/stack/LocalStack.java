package dev.ota.local.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.function.managementapi.ManagementApiHandler;
import dev.ota.function.support.AwsClients;
import dev.ota.function.support.Environment;
import dev.ota.function.support.Settings;
import dev.ota.local.iam.LocalIam;
import dev.ota.local.iot.DeviceAccess;
import dev.ota.local.iot.IotPolicy;
import dev.ota.local.rules.IotRuleSql;
import dev.ota.local.rules.RuleRouter;
import dev.ota.local.standin.BucketHostEndpoint;
import dev.ota.local.standin.CloudFormationTables;
import dev.ota.local.standin.CloudFrontEndpoint;
import dev.ota.local.standin.EmbeddedS3;
import dev.ota.local.standin.LocalAws;
import dev.ota.local.standin.RepoRoot;
import dev.ota.local.standin.StandInClients;
import dev.ota.local.template.LocalDeployment;
import dev.ota.local.template.SamTemplate;
import dev.ota.port.in.JobOperations;
import dev.ota.protocol.ProtocolJson;
import dev.ota.wiring.JobEngineClients;
import dev.ota.wiring.JobOperationsFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Everything that runs in AWS, on this machine, built from template.yaml: the tables it declares,
 * a firmware bucket, an MQTT broker, an IoT Data Plane endpoint, and its functions run in-process
 * behind a rules router that executes the template's own IoT rule SQL.
 *
 * <p>Devices may use Tencent's {@code $ota/...} topics or AWS's {@code ota/...}: every rule also
 * listens on the {@code $}-prefixed twin of its filter, and every update publish is mirrored to
 * the twin topic (see docs/local.md).
 *
 * <p>The template's {@code HttpApi} routes are served over real HTTP by {@link LocalHttpApi}
 * ({@link #apiEndpoint()}), and its {@code S3} events are delivered: every object created in the
 * bucket that matches an event's filter invokes that function asynchronously with an
 * S3-notification-shaped event, as S3 does.
 */
public final class LocalStack implements AutoCloseable {

    /**
     * The stack's own firmware bucket: the name template.yaml computes ({@code ota-firmware-${AWS::AccountId}-${StackUuid}})
     * in the local deployment ({@link LocalDeployment#DEFAULT}), so that the roles' S3 resources name it.
     * With {@code ExistingFirmwareBucket} set, the bucket in use is that one instead ({@link #bucket()}).
     */
    public static final String BUCKET = "ota-firmware-" + LocalDeployment.DEFAULT.accountId() + "-"
            + LocalDeployment.DEFAULT
                    .stackId()
                    .substring(LocalDeployment.DEFAULT.stackId().lastIndexOf('/') + 1);

    /**
     * @param bucketHostPort port of the firmware bucket's virtual-hosted-style endpoint, where
     *                       presigned download URLs point ({@link BucketHostEndpoint}); 0 = any free port
     * @param templateEdit   applied to the parsed template before anything is built from it (tests that
     *                       take a grant away); identity for the template as it is
     */
    public record Options(
            Path template,
            LocalAws.Ports ports,
            int invokerThreads,
            Map<String, String> parameterOverrides,
            int bucketHostPort,
            UnaryOperator<SamTemplate> templateEdit,
            int httpApiPort) {

        public Options {
            templateEdit = templateEdit == null ? UnaryOperator.identity() : templateEdit;
        }

        public Options(
                Path template, LocalAws.Ports ports, int invokerThreads, Map<String, String> parameterOverrides) {
            this(template, ports, invokerThreads, parameterOverrides, 0, null, 0);
        }

        public Options(
                Path template,
                LocalAws.Ports ports,
                int invokerThreads,
                Map<String, String> parameterOverrides,
                int bucketHostPort) {
            this(template, ports, invokerThreads, parameterOverrides, bucketHostPort, null, 0);
        }

        public static Options defaults() {
            return new Options(RepoRoot.find().resolve("template.yaml"), LocalAws.Ports.free(), 4, Map.of());
        }

        public Options withPorts(LocalAws.Ports p) {
            return new Options(
                    template, p, invokerThreads, parameterOverrides, bucketHostPort, templateEdit, httpApiPort);
        }

        /** Template parameters to set, as {@code sam deploy --parameter-overrides} would. */
        public Options withParameterOverrides(Map<String, String> overrides) {
            return new Options(
                    template, ports, invokerThreads, Map.copyOf(overrides), bucketHostPort, templateEdit, httpApiPort);
        }

        public Options withBucketHostPort(int port) {
            return new Options(template, ports, invokerThreads, parameterOverrides, port, templateEdit, httpApiPort);
        }

        /** Runs the stack on an edited copy of the template, e.g. {@code t -> t.edited(root -> ...)}. */
        public Options withTemplateEdit(UnaryOperator<SamTemplate> edit) {
            return new Options(template, ports, invokerThreads, parameterOverrides, bucketHostPort, edit, httpApiPort);
        }

        /** The management API's port (the template's HttpApi); 0 = any free port. */
        public Options withHttpApiPort(int port) {
            return new Options(template, ports, invokerThreads, parameterOverrides, bucketHostPort, templateEdit, port);
        }
    }

    private final ObjectMapper json = ProtocolJson.newMapper();
    private final LocalAws aws;
    private final AwsCallCounter calls = new AwsCallCounter();
    private final LocalMetrics metrics = new LocalMetrics(json);
    private LocalEvents events;
    private final FaultInjection faults = new FaultInjection(42);
    private final Map<String, LocalFunction> functions = new LinkedHashMap<>();
    private final RuleRouter router;
    private SamTemplate template;
    private BucketHostEndpoint bucketHost;
    private CloudFrontEndpoint cloudFront;
    /** The firmware bucket in use: the stack's own ({@link #BUCKET}) or the existing one the template names. */
    private String bucket;

    private final List<AutoCloseable> clients = new ArrayList<>();
    private final LocalClock clock = new LocalClock();
    private final List<LocalFunction> scheduled = new ArrayList<>();
    private LocalQueues queues;
    private Settings settings;

    private final LocalHttpApi httpApi;
    private final ExecutorService s3Notifier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "s3-notifications");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger s3NotificationsPending = new AtomicInteger();
    private final List<S3NotificationFailure> s3NotificationFailures = new CopyOnWriteArrayList<>();

    /** An S3 notification whose function failed (S3 → Lambda is asynchronous: nobody else would see it). */
    public record S3NotificationFailure(String functionLogicalId, String key, Throwable error) {}

    private final LongAdder devicePublishes = new LongAdder();

    /**
     * MQTT messages so far, as AWS IoT Core would bill them: publishes clients sent to the broker,
     * and publishes the functions made through the IoT Data Plane (the local twin-topic copy of
     * each is not counted: on AWS there is only one topic scheme).
     */
    public record MessageCounts(long fromDevices, long toDevices) {
        public long total() {
            return fromDevices + toDevices;
        }
    }

    private LocalStack(Options options) {
        this.aws = LocalAws.start(options.ports());
        this.router = new RuleRouter(json, options.invokerThreads(), e -> null, clock::millis);
        this.httpApi = new LocalHttpApi(
                StandInClients.CREDENTIALS.resolveCredentials(), StandInClients.REGION.id(), options.httpApiPort());
        try {
            Map<String, String> overrides = new HashMap<>(options.parameterOverrides());
            // The CloudFront key pair of this local deployment: its public half is the template's
            // parameter, its private half goes into Secrets Manager (startCloudFront).
            KeyPair signing = null;
            if (!overrides.containsKey("CloudFrontPublicKey")) {
                signing = cloudFrontKeyPair();
                overrides.put(
                        "CloudFrontPublicKey",
                        pem("PUBLIC KEY", signing.getPublic().getEncoded()));
            }
            template = options.templateEdit().apply(SamTemplate.load(options.template(), overrides));
            if (!template.deployment().region().equals(StandInClients.REGION.id())) {
                throw new IllegalStateException("the local deployment's region "
                        + template.deployment().region() + " is not the stand-ins' " + StandInClients.REGION.id());
            }
            iam = LocalIam.from(template);
            createTables(template);
            enforceDevicePolicies(template);
            createBucket(template);
            startCloudFront(template, signing);
            bucketHost = new BucketHostEndpoint(aws.s3Endpoint(), bucket, options.bucketHostPort())
                    .authorizer(iam.downloadAuthorizer())
                    .start();
            // Uncounted: polling the queues is the event-source mapping's work, not a call the functions make.
            this.queues = new LocalQueues(
                    track(StandInClients.sqs(
                            aws.dynamoDbEndpoint(),
                            ClientOverrideConfiguration.builder().build())),
                    json,
                    template.queues());
            String bus = template.parameter("EventBusName");
            try (EventBridgeClient eventBridge = EventBridgeClient.builder()
                    .endpointOverride(aws.dynamoDbEndpoint())
                    .region(StandInClients.REGION)
                    .credentialsProvider(StandInClients.CREDENTIALS)
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .build()) {
                this.events = new LocalEvents(
                        eventBridge,
                        track(StandInClients.sqs(
                                aws.dynamoDbEndpoint(),
                                ClientOverrideConfiguration.builder().build())),
                        json,
                        bus == null ? "default" : bus);
            }
            List<String> problems =
                    iam.deploymentProblems(template, id -> iam.permissions().queueArn(queues.url(id)));
            if (!problems.isEmpty()) {
                throw new IllegalStateException(
                        "template.yaml: the functions' roles do not allow what Lambda does with them:\n  "
                                + String.join("\n  ", problems));
            }
            wireFunctions(template);
            wireHttpApi(template);
            wireS3Notifications(template);
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

    /** The template's tables, named by their logical ids, with their indexes projected as declared. */
    private void createTables(SamTemplate template) {
        try (DynamoDbClient dynamo = aws.dynamoDb()) {
            CloudFormationTables.create(dynamo, template.tables());
        }
    }

    private IotClient iot;
    private DeviceAccess deviceAccess;
    private final List<String> iotPolicyNames = new ArrayList<>();

    /**
     * The template's AWS::IoT::Policy resources are created in moto's IoT registry, resolved as
     * CloudFormation would; the broker then lets a client connect, publish and subscribe only as
     * the policies attached to its certificate allow ({@link DeviceAccess}).
     */
    private void enforceDevicePolicies(SamTemplate template) {
        iot = track(aws.iot());
        for (SamTemplate.IotPolicySpec policy : template.iotPolicies()) {
            String document = new String(ProtocolJson.toBytes(json, policy.document()), StandardCharsets.UTF_8);
            // Refuse at start-up what the local evaluator would not enforce faithfully.
            IotPolicy.parse(policy.policyName(), document, json);
            iot.createPolicy(r -> r.policyName(policy.policyName()).policyDocument(document));
            iotPolicyNames.add(policy.policyName());
        }
        LocalDeployment deployment = template.deployment();
        deviceAccess = new DeviceAccess(
                iot,
                "arn:" + deployment.partition() + ":iot:" + deployment.region() + ":" + deployment.accountId() + ":");
        aws.broker().accessControl(deviceAccess);
    }

    /** The AWS IoT control plane (moto), e.g. to register devices. */
    public IotClient iot() {
        return iot;
    }

    /** Who may connect and what they may publish: counts and refusals of the local IoT policy enforcement. */
    public DeviceAccess deviceAccess() {
        return deviceAccess;
    }

    /** The name of the template's device policy (DevicePolicy), which `ota device register` attaches. */
    public String devicePolicyName() {
        return iotPolicyNames.isEmpty() ? null : iotPolicyNames.get(0);
    }

    /** The AWS IoT control plane endpoint (moto), for `ota device register --iot-endpoint`. */
    public URI iotEndpoint() {
        return aws.dynamoDbEndpoint();
    }

    /** The mutual-TLS MQTT listener ({@code ssl://127.0.0.1:port}), null without one. */
    public String mqttsUrl() {
        return aws.mqttsUrl();
    }

    /** The root CA of the TLS listener's server certificate, in PEM: the devices' CA file locally. */
    public String rootCaPem() {
        var ca = aws.broker().certificateAuthority();
        return ca == null ? null : ca.rootPem();
    }

    /**
     * The firmware bucket the functions use (their {@code FIRMWARE_BUCKET}): the template's own
     * bucket, named as the template names it in the local deployment, or, with
     * {@code ExistingFirmwareBucket} set, that bucket, made here as the user would have made it
     * before deploying (the template then declares none).
     */
    private void createBucket(SamTemplate template) {
        List<String> inUse = template.functions().stream()
                .map(f -> f.environment().get("FIRMWARE_BUCKET"))
                .distinct()
                .toList();
        if (inUse.size() != 1 || inUse.get(0) == null) {
            throw new IllegalStateException(
                    "template.yaml: the functions do not agree on one FIRMWARE_BUCKET: " + inUse);
        }
        bucket = inUse.get(0);
        List<String> buckets = template.resourcesOfType("AWS::S3::Bucket");
        boolean own =
                buckets.size() == 1 && BUCKET.equals(bucket) && BUCKET.equals(template.physicalName(buckets.get(0)));
        boolean existing = buckets.isEmpty() && !BUCKET.equals(bucket);
        if (!own && !existing) {
            throw new IllegalStateException("template.yaml: the local stack serves one bucket, the stack's own named "
                    + BUCKET + " or an existing one; the functions use " + bucket + ", the template declares "
                    + buckets.stream()
                            .map(b -> b + " = " + template.physicalName(b))
                            .toList());
        }
        try (S3Client s3 = aws.s3()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    private static KeyPair cloudFrontKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is always available", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * DownloadUrlMinter=cloudfront: the distribution of the template (its DownloadPublicKey, whose
     * id signed URLs name and whose EncodedKey checks them) served by the CloudFront stand-in in
     * front of the bucket, and the private key in Secrets Manager under the template's secret name,
     * where the functions read it.
     */
    private void startCloudFront(SamTemplate template, KeyPair signing) {
        if (!"cloudfront".equals(template.parameter("DownloadUrlMinter"))) {
            return;
        }
        List<String> keys = template.resourcesOfType("AWS::CloudFront::PublicKey");
        if (keys.size() != 1
                || template.resourcesOfType("AWS::CloudFront::Distribution").size() != 1) {
            throw new IllegalStateException("template.yaml: the local stack serves one CloudFront distribution with one"
                    + " public key; the template declares " + keys);
        }
        String keyId = template.physicalName(keys.get(0));
        String publicKey = String.valueOf(template.resolvedProperty(keys.get(0), "PublicKeyConfig", "EncodedKey"));
        if (signing != null) {
            String secret = template.parameter("CloudFrontPrivateKeySecret");
            try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                    .endpointOverride(aws.dynamoDbEndpoint())
                    .region(StandInClients.REGION)
                    .credentialsProvider(StandInClients.CREDENTIALS)
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .build()) {
                secrets.createSecret(r -> r.name(secret)
                        .secretString(pem("PRIVATE KEY", signing.getPrivate().getEncoded())));
            }
        }
        cloudFront = new CloudFrontEndpoint(aws.s3Endpoint(), bucket, keyId, publicKey, clock).start(80);
    }

    /** The CloudFront stand-in (DownloadUrlMinter=cloudfront), else null. */
    public CloudFrontEndpoint cloudFront() {
        return cloudFront;
    }

    /** The firmware bucket in use: {@link #BUCKET}, or the template's {@code ExistingFirmwareBucket}. */
    public String bucket() {
        return bucket;
    }

    private void wireFunctions(SamTemplate template) {
        // (queues are created before the functions: their URLs go into the functions' environment)
        Map<String, String> queueUrls = queues.urls();
        for (SamTemplate.FunctionSpec spec : template.functions()) {
            Map<String, String> env = new LinkedHashMap<>(spec.environment());
            env.put("FIRMWARE_BUCKET", bucket);
            env.put("IOT_DATA_ENDPOINT", aws.iotDataEndpoint().toString());
            if (cloudFront != null) {
                env.put("CLOUDFRONT_DOMAIN", cloudFront.domainName());
                if (cloudFront.domainName().contains(":") && "c-sdk".equals(env.get("DEVICE_PROFILE"))) {
                    // Port 80 could not be bound here (not root): URLs carry a port the C SDK cannot take.
                    System.err.println("local stack: CloudFront stand-in on " + cloudFront.domainName()
                            + ", not port 80; DeviceProfile c-sdk relaxed to capable");
                    env.put("DEVICE_PROFILE", "capable");
                }
            }
            // !Ref of a queue resolves to its logical id: locally, that is the moto queue's URL.
            env.replaceAll((k, v) -> v != null && queueUrls.containsKey(v) ? queueUrls.get(v) : v);
            AwsClients clients = track(functionClients(spec.logicalId()));
            clientsByFunction.put(spec.logicalId(), clients);
            LocalFunction function = new LocalFunction(
                    spec.logicalId(),
                    LocalHandlers.create(spec.logicalId(), spec.handler(), Environment.of(env), clients, clock));
            if (spec.handler().startsWith(ManagementApiHandler.class.getName() + "::")
                    || spec.handler().equals(ManagementApiHandler.class.getName())) {
                managementApi = spec.logicalId();
            }
            functions.put(spec.logicalId(), function);
            if (settings == null) {
                settings = Settings.from(env);
            }
            for (SamTemplate.SqsSource source : spec.sqsSources()) {
                queues.connect(source.queue(), source.batchSize(), function);
            }
            if (!spec.schedules().isEmpty()) {
                scheduled.add(function);
            }
        }
        wireTopicRules(template);
        aws.broker().addClientPublishListener(p -> {
            devicePublishes.increment();
            router.onPublish(p.clientId(), p.topic(), p.payload());
        });
        aws.iotDataServer().mirrorTo(LocalStack::twinTopic);
    }

    /**
     * The template's AWS::IoT::TopicRule resources, each behind the router: its SQL, its Lambda action
     * (performed only when an AWS::Lambda::Permission lets iot.amazonaws.com invoke that ARN for this
     * rule, as on AWS) and its SQS error action, which gets AWS's error message for a refused action.
     */
    private void wireTopicRules(SamTemplate template) {
        List<SamTemplate.LambdaPermissionSpec> permissions = template.lambdaPermissions();
        LocalDeployment deployment = template.deployment();
        for (SamTemplate.TopicRuleSpec rule : template.topicRules()) {
            if (rule.disabled()) {
                continue;
            }
            if (!"2016-03-23".equals(rule.sqlVersion())) {
                throw new IotRuleSql.UnsupportedRuleException(
                        rule.logicalId() + ": AwsIotSqlVersion must be 2016-03-23");
            }
            IotRuleSql sql = IotRuleSql.parse(rule.sql());
            String filter = sql.topicFilter();
            RuleRouter.ErrorAction errorAction =
                    rule.errorQueue() == null ? null : error -> queues.send(rule.errorQueue(), errorMessage(error));
            for (SamTemplate.LambdaAction action : rule.lambdaActions()) {
                LocalFunction function = functions.get(action.functionLogicalId());
                if (function == null) {
                    throw new IllegalStateException("template.yaml: " + rule.logicalId() + " invokes "
                            + action.functionLogicalId() + ", not a function of this template");
                }
                boolean permitted = permissions.stream()
                        .anyMatch(p -> p.allows(
                                "iot.amazonaws.com", action.functionArn(), rule.arn(), deployment.accountId()));
                String refusal = permitted
                        ? null
                        : "AccessDeniedException: no AWS::Lambda::Permission lets iot.amazonaws.com invoke "
                                + action.functionArn() + " from " + rule.arn();
                router.add(new RuleRouter.Route(
                        rule.ruleName(),
                        sql,
                        List.of(filter, twinTopic(filter)),
                        action.functionLogicalId(),
                        function,
                        refusal,
                        errorAction));
            }
        }
    }

    /** The message AWS IoT's SQS error action sends (see the IoT developer guide, "Error action message format"). */
    private String errorMessage(RuleRouter.RuleError error) {
        ObjectNode message = json.createObjectNode()
                .put("ruleName", error.ruleName())
                .put("topic", error.topic())
                .put("cloudwatchTraceId", UUID.randomUUID().toString())
                .put("clientId", error.clientId())
                .put("base64OriginalPayload", Base64.getEncoder().encodeToString(error.originalPayload()));
        message.putArray("failures")
                .addObject()
                .put("failedAction", "LambdaAction")
                .put("failedResource", error.failedResource())
                .put("errorMessage", error.errorMessage());
        return message.toString();
    }

    private void wireHttpApi(SamTemplate template) {
        List<SamTemplate.HttpRoute> routes = template.httpApiRoutes();
        for (SamTemplate.HttpRoute route : routes) {
            httpApi.route(route, functions.get(route.functionLogicalId()));
        }
        if (!routes.isEmpty()) {
            httpApi.start();
        }
    }

    /** S3 → Lambda notifications on the bucket in use: the stack's own bucket's, or those an existing bucket's owner applies. */
    private void wireS3Notifications(SamTemplate template) {
        List<SamTemplate.LambdaPermissionSpec> permissions = template.lambdaPermissions();
        LocalDeployment deployment = template.deployment();
        for (SamTemplate.S3Trigger trigger : template.s3Triggers()) {
            LocalFunction function = functions.get(trigger.functionLogicalId());
            // S3 refuses a notification configuration whose function it may not invoke.
            String bucketArn = "arn:" + deployment.partition() + ":s3:::" + trigger.bucket();
            if (permissions.stream()
                    .noneMatch(p ->
                            p.allows("s3.amazonaws.com", trigger.functionArn(), bucketArn, deployment.accountId()))) {
                throw new IllegalStateException("template.yaml: S3 may not invoke " + trigger.functionArn() + " for "
                        + bucketArn + " (no AWS::Lambda::Permission allows it): S3 refuses the notification");
            }
            aws.embeddedS3().onObjectCreated(created -> {
                if (!trigger.bucket().equals(created.bucket())
                        || !trigger.matches("s3:" + created.eventName(), created.key())) {
                    return;
                }
                s3NotificationsPending.incrementAndGet();
                s3Notifier.execute(() -> {
                    try {
                        function.invoke(s3Event(created));
                    } catch (Exception e) {
                        s3NotificationFailures.add(
                                new S3NotificationFailure(trigger.functionLogicalId(), created.key(), e));
                    } finally {
                        s3NotificationsPending.decrementAndGet();
                    }
                });
            });
        }
    }

    private byte[] s3Event(EmbeddedS3.ObjectCreated created) {
        var record = json.createObjectNode();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", StandInClients.REGION.id());
        record.put("eventTime", Instant.now().toString());
        record.put("eventName", created.eventName());
        var s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.putObject("bucket").put("name", created.bucket()).put("arn", "arn:aws:s3:::" + created.bucket());
        // S3 URL-encodes keys in notifications (a space becomes '+').
        s3.putObject("object")
                .put(
                        "key",
                        URLEncoder.encode(created.key(), StandardCharsets.UTF_8).replace("%2F", "/"))
                .put("size", created.size())
                .put("eTag", created.eTag() == null ? "" : created.eTag().replace("\"", ""));
        var event = json.createObjectNode();
        event.putArray("Records").add(record);
        return ProtocolJson.toBytes(json, event);
    }

    /** Waits until every S3 notification so far has been handled; false on timeout. */
    public boolean awaitS3Notifications(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (s3NotificationsPending.get() > 0) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    public List<S3NotificationFailure> s3NotificationFailures() {
        return List.copyOf(s3NotificationFailures);
    }

    /** Base URL of the template's HTTP API (the local ManagementApiUrl). */
    public URI apiEndpoint() {
        return httpApi.endpoint();
    }

    public LocalHttpApi httpApi() {
        return httpApi;
    }

    /** {@code ota/x} ↔ {@code $ota/x}. */
    static String twinTopic(String topic) {
        return topic.startsWith("$") ? topic.substring(1) : "$" + topic;
    }

    /**
     * A function's clients: as its execution role (session credentials naming it, every call checked
     * against its policy after being counted), with device download URLs served at the bucket's own
     * endpoint. Each function has its own, as each has its own role.
     */
    private AwsClients functionClients(String logicalId) {
        LocalIam.Role role = iam.role(logicalId);
        return LocalClients.functionClients(aws, iam.credentials(role))
                .overrides(ClientOverrideConfiguration.builder()
                        .addExecutionInterceptor(calls)
                        .addExecutionInterceptor(iam.enforcer(role))
                        .addExecutionInterceptor(faults)
                        .build())
                .downloadUrlsServedAs(url -> BucketHostEndpoint.served(url, bucket, bucketHost.endpoint()))
                .metricsOutput(metrics)
                .build();
    }

    /** The functions' metrics, as CloudWatch would extract them from their EMF documents. */
    public LocalMetrics metrics() {
        return metrics;
    }

    /** The functions' EventBridge events, as a subscriber of the template's bus receives them. */
    public LocalEvents events() {
        return events;
    }

    /** The clients a function of the template runs with (its role's), for tests that build a function's wiring themselves. */
    public AwsClients clientsOf(String functionLogicalId) {
        AwsClients clients = clientsByFunction.get(functionLogicalId);
        if (clients == null) {
            throw new IllegalArgumentException(
                    "no function " + functionLogicalId + " in template.yaml; have " + clientsByFunction.keySet());
        }
        return clients;
    }

    /** IAM as template.yaml gives it to each function: its checks, denials and the roles. */
    public LocalIam iam() {
        return iam;
    }

    /** The template as this stack runs it (with any edit applied). */
    public SamTemplate template() {
        return template;
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    /** Invokes a function directly, as {@code aws lambda invoke} does; returns its response. */
    public byte[] invoke(String logicalId, byte[] event) throws Exception {
        LocalFunction function = functions.get(logicalId);
        if (function == null) {
            throw new IllegalArgumentException(
                    "no function " + logicalId + " in template.yaml; have " + functions.keySet());
        }
        return function.invoke(event);
    }

    /**
     * Uploads firmware to {@code firmware/{productId}/{version}/{fileName}} in the firmware bucket,
     * then delivers the S3 ObjectCreated notification that template.yaml subscribes
     * FirmwareRegistrationFunction to (s3proxy sends none). Returns the function's response.
     */
    public byte[] uploadFirmware(String productId, String version, String fileName, byte[] bytes) throws Exception {
        String key = "firmware/" + productId + "/" + version + "/" + fileName;
        try (S3Client s3 = aws.s3()) {
            s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
        }
        ObjectNode event = json.createObjectNode();
        ObjectNode record = event.putArray("Records")
                .addObject()
                .put("eventSource", "aws:s3")
                .put("eventName", "ObjectCreated:Put")
                .put("awsRegion", aws.region().id());
        ObjectNode s3 = record.putObject("s3");
        s3.putObject("bucket").put("name", bucket);
        // S3 URL-encodes the key in notifications (a space arrives as '+').
        s3.putObject("object")
                .put("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"))
                .put("size", bytes.length);
        return invoke("FirmwareRegistrationFunction", json.writeValueAsBytes(event));
    }

    /** A template parameter's value in this stack (its default, or the override it was started with). */
    public String parameter(String name) {
        return template.parameter(name);
    }

    /** The firmware bucket's own endpoint: presigned download URLs are {@code {this}/{key}?X-Amz-...}. */
    public BucketHostEndpoint bucketHost() {
        return bucketHost;
    }

    public LocalAws aws() {
        return aws;
    }

    /** The clock every function and the rules router use; tests move it forward. */
    public LocalClock clock() {
        return clock;
    }

    /**
     * One scheduler round, as EventBridge and SQS would run it, to quiescence: invokes every function
     * with a Schedule event in template.yaml once, then feeds the queues to their functions until
     * they are empty (continuation messages included). Returns the queue records handled.
     */
    public int tick() throws Exception {
        byte[] event = ("{\"version\":\"0\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\",\"time\":\""
                        + clock.instant() + "\",\"detail\":{}}")
                .getBytes(StandardCharsets.UTF_8);
        for (LocalFunction function : scheduled) {
            function.invoke(event);
        }
        return queues.drain();
    }

    /**
     * Runs {@link #tick()} on the template's schedule, {@code speedup} times as often, until the stack
     * closes. Idempotent: a scheduler already running is returned as it is.
     */
    public synchronized LocalScheduler runScheduler(int speedup) {
        if (scheduler == null) {
            if (template.functions().stream().allMatch(f -> f.schedules().isEmpty())) {
                throw new IllegalStateException("template.yaml has no function with a Schedule event");
            }
            Duration shortest = template.functions().stream()
                    .flatMap(f -> f.schedules().stream())
                    .map(LocalScheduler::period)
                    .min(Duration::compareTo)
                    .orElseThrow();
            scheduler = new LocalScheduler(this, shortest, speedup).start();
        }
        return scheduler;
    }

    /** The running scheduler, or null. */
    public synchronized LocalScheduler scheduler() {
        return scheduler;
    }

    private LocalScheduler scheduler;

    /** Feeds the queues to their functions until they are empty, without a scheduler tick. */
    public int drainQueues() {
        return queues.drain();
    }

    public LocalQueues queues() {
        return queues;
    }

    /** Settings as template.yaml gives them to the functions, pointed at the local stand-ins. */
    public Settings settings() {
        return settings;
    }

    /**
     * The job operations the HTTP API serves, built exactly as the API function builds them
     * ({@code JobOperationsFactory}), on the API function's clients (counted, as its role) and the
     * stack's clock.
     */
    public synchronized JobOperations jobs() {
        if (jobOperations == null) {
            if (managementApi == null) {
                throw new IllegalStateException(
                        "template.yaml has no function with handler " + ManagementApiHandler.class.getName());
            }
            jobOperations = JobOperationsFactory.create(
                    settings, JobEngineClients.of(settings, clientsOf(managementApi), clock), clock);
        }
        return jobOperations;
    }

    private JobOperations jobOperations;
    private LocalIam iam;
    private final Map<String, AwsClients> clientsByFunction = new LinkedHashMap<>();
    private String managementApi;

    /** Faults the functions' AWS calls meet (none until a test adds a rule). */
    public FaultInjection faults() {
        return faults;
    }

    public AwsCallCounter calls() {
        return calls;
    }

    public MessageCounts messages() {
        return new MessageCounts(devicePublishes.sum(), aws.iotDataServer().publishCount());
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

    /**
     * With {@code -Dota.local.iamReport=FILE}, appends what this stack's IAM saw to FILE when it closes:
     * per role, each statement's actions that allowed something (and how often), and every denial.
     * For narrowing a role to what its function really does.
     */
    private void writeIamReport() {
        String file = System.getProperty("ota.local.iamReport");
        if (file == null || iam == null) {
            return;
        }
        var report = json.createObjectNode();
        report.put("stats", iam.stats().toString());
        var used = report.putObject("grantsUsed");
        iam.grantsUsed().forEach((role, grants) -> {
            var r = used.putObject(role);
            grants.forEach(r::put);
        });
        var denied = report.putArray("denials");
        iam.denials().forEach(d -> denied.add(d.message()));
        try {
            Files.writeString(
                    Path.of(file),
                    json.writeValueAsString(report) + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // a diagnostic only
        }
    }

    @Override
    public void close() {
        LocalScheduler running;
        synchronized (this) {
            running = scheduler;
            scheduler = null;
        }
        if (running != null) {
            running.close();
        }
        writeIamReport();
        httpApi.close();
        s3Notifier.shutdownNow();
        router.close();
        if (cloudFront != null) {
            cloudFront.close();
        }
        if (bucketHost != null) {
            bucketHost.close();
        }
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
