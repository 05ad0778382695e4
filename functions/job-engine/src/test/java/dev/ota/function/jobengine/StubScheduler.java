package dev.ota.function.jobengine;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.aws.presign.PresignConfig;
import dev.ota.aws.presign.SigV4DownloadUrlMinter;
import dev.ota.domain.job.WorkMessage;
import dev.ota.function.support.JobEngineSettings;
import dev.ota.function.support.Settings;
import dev.ota.port.out.WorkQueue;
import dev.ota.protocol.ProtocolJson;
import dev.ota.wiring.JobEngineClients;
import dev.ota.wiring.JobWiring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The job-engine functions' wiring on hand-written stand-ins, until ota-test-fixtures has in-memory
 * JobRepository and RolloutStore fakes. {@link JobWiring} builds the DynamoDB adapters itself from a
 * {@link DynamoDbClient}, so the stand-in sits one level lower: a client that answers the two reads
 * a tick and a PLAN of an unknown job make (the live-jobs index, one job item; the firmware
 * reservations still uploading, none) and throws on every
 * other call (the SDK interface's defaults). The work queue is a recording {@link WorkQueue}; the
 * log is captured.
 */
final class StubScheduler {

    static final ObjectMapper JSON = ProtocolJson.newMapper();
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String JOBS_TABLE = "Jobs";

    /** The Jobs table as far as a tick and a PLAN of a job that does not exist read it. */
    static final class StubDynamo implements DynamoDbClient {
        /** Returned by the live-jobs index, in this order. */
        final List<String> liveJobIds = new ArrayList<>();
        /** Job ids whose item read is throttled, as DynamoDB does under load. */
        final Set<String> throttled = new HashSet<>();
        /** Every call, e.g. "Query Jobs/byLive", "GetItem Jobs job-1". */
        final List<String> calls = new ArrayList<>();

        boolean failQueries;

        @Override
        public QueryResponse query(QueryRequest request) {
            calls.add("Query " + request.tableName() + "/" + request.indexName());
            if (failQueries) {
                throw ProvisionedThroughputExceededException.builder()
                        .message("Rate of requests exceeds the allowed throughput")
                        .build();
            }
            if (!"byLive".equals(request.indexName())) {
                return QueryResponse.builder().items(List.of()).build(); // no stale firmware upload
            }
            return QueryResponse.builder()
                    .items(liveJobIds.stream()
                            .map(id -> Map.of("jobId", AttributeValue.fromS(id)))
                            .toList())
                    .build();
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            String jobId = request.key().get("jobId").s();
            calls.add("GetItem " + request.tableName() + " " + jobId);
            if (throttled.contains(jobId)) {
                throw ProvisionedThroughputExceededException.builder()
                        .message("Rate of requests exceeds the allowed throughput")
                        .build();
            }
            return GetItemResponse.builder().build(); // no such job
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {}
    }

    /** Records every batch the engine sends. */
    static final class RecordingQueue implements WorkQueue {
        final List<List<WorkMessage>> batches = new ArrayList<>();

        @Override
        public void send(List<WorkMessage> messages) {
            batches.add(List.copyOf(messages));
        }

        List<WorkMessage> messages() {
            return batches.stream().flatMap(List::stream).toList();
        }
    }

    final StubDynamo dynamo = new StubDynamo();
    final RecordingQueue queue = new RecordingQueue();
    final SchedulerWiring wiring;
    private final ByteArrayOutputStream logLines = new ByteArrayOutputStream();

    StubScheduler(String component) {
        Settings settings = Settings.from(Map.of(
                "DEVICES_TABLE",
                "Devices",
                "JOBS_TABLE",
                JOBS_TABLE,
                "EXECUTIONS_TABLE",
                "Executions",
                "FIRMWARE_TABLE",
                "Firmware",
                "FIRMWARE_BUCKET",
                "ota-firmware"));
        JobEngineClients clients = new JobEngineClients(
                dynamo,
                null,
                null,
                new SigV4DownloadUrlMinter(
                        PresignConfig.of(
                                Region.US_EAST_1,
                                StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create("AKIDEXAMPLE", "test-secret"))),
                        "ota-firmware",
                        Duration.ofHours(1)));
        // JobWiring logs to System.out as it was when the wiring was built: capture it for these tests.
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(logLines, true, UTF_8));
        try {
            wiring = new SchedulerWiring(
                    JSON,
                    new JobWiring(
                            settings,
                            JobEngineSettings.defaults(),
                            clients,
                            queue,
                            Clock.fixed(NOW, ZoneOffset.UTC),
                            component));
        } finally {
            System.setOut(stdout);
        }
    }

    static JsonNode invoke(RequestStreamHandler handler, byte[] event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return JSON.readTree(out.toByteArray());
    }

    List<JsonNode> logged() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logLines.toString(UTF_8).split("\\R")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
