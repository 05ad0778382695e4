package dev.ota.aws.dynamodb;

import dev.ota.local.standin.CloudFormationTables;
import dev.ota.local.standin.MotoServer;
import dev.ota.local.standin.RepoRoot;
import dev.ota.local.standin.StandInClients;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One moto_server for the whole test run (surefire runs this module's classes in one JVM), with
 * template.yaml's tables created once, exactly as the template declares them: keys, indexes and
 * projections (byLive, byQueue and byDue are KEYS_ONLY). Tests share the tables and stay apart by
 * using fresh keys ({@link #id}). moto_server ends with the JVM (MotoServer's shutdown hook).
 */
final class MotoTables {

    /** The tables by logical id: what {@code !Ref} of each gives the functions' environment locally. */
    static final Tables TABLES = new Tables("DevicesTable", "JobsTable", "ExecutionsTable", "FirmwareTable");

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static MotoServer moto;
    private static DynamoDbClient dynamo;

    private MotoTables() {}

    /** The shared client (serialized calls to moto_server, as every local client is). */
    static synchronized DynamoDbClient dynamo() {
        if (dynamo == null) {
            MotoServer server = new MotoServer().start();
            DynamoDbClient client = StandInClients.dynamoDb(server.endpoint());
            CloudFormationTables.create(
                    client, CloudFormationTables.declaredIn(RepoRoot.find().resolve("template.yaml")));
            moto = server;
            dynamo = client;
        }
        return dynamo;
    }

    /**
     * A moto_server of its own with the template's tables, for a test that needs more than the one
     * request at a time a moto_server serves; it ends with the JVM.
     */
    static DynamoDbClient ownServer() {
        MotoServer server = new MotoServer().start();
        DynamoDbClient client = StandInClients.dynamoDb(server.endpoint());
        CloudFormationTables.create(
                client, CloudFormationTables.declaredIn(RepoRoot.find().resolve("template.yaml")));
        return client;
    }

    /** Another client on the same moto_server, with {@code overrides} (interceptors); the caller closes it. */
    static DynamoDbClient client(ClientOverrideConfiguration overrides) {
        dynamo();
        return StandInClients.dynamoDb(moto.endpoint(), overrides);
    }

    /** A name no other test uses: {@code prefix-<n>-<run>}, valid as a product id, device name, job id or version. */
    static String id(String prefix) {
        return prefix + "-" + IDS.incrementAndGet() + "-" + RUN;
    }
}
