package dev.ota.local.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ota.aws.dynamodb.JobCounters;
import dev.ota.local.stack.LocalStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * A tiny operator endpoint on 127.0.0.1 for the local stack, standing in for the AWS console and
 * {@code aws lambda invoke} (see docs/local.md). No authentication: it binds to the loopback only.
 *
 * <pre>
 * GET  /                                   where everything listens (the same JSON as --ready-file)
 * POST /firmware/{productId}/{version}[?file=NAME]   body: the firmware bytes. Uploads them to
 *                                          firmware/{productId}/{version}/NAME and delivers the S3
 *                                          ObjectCreated event to FirmwareRegistrationFunction
 * POST /invoke/{FunctionLogicalId}         body: the event; answers the function's response
 *                                          (e.g. UpdateDevicesFunction, as aws lambda invoke)
 * GET  /jobs/{jobId}                       the JobsTable item (count_* per state) and its ExecutionsTable rows
 * GET  /devices/{productId}/{deviceName}   the DevicesTable item
 * GET  /metrics                            the functions' metrics (EMF, as CloudWatch extracts them):
 *                                          one entry per metric and dimension values, sum, count, max
 * GET  /events                             the job and execution events the bus delivered (docs/events.md)
 * POST /faults/drop-downloads?afterBytes=N[&count=C][&stallSeconds=S]   weak network: the next
 *                                          C (default 1) firmware downloads stop after N bytes, hang
 *                                          for S seconds (default 15), then the connection closes
 * </pre>
 */
public final class LocalAdmin implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final LocalStack stack;
    private final ObjectMapper json;
    private final Supplier<JsonNode> info;
    private final HttpServer server;
    private final ExecutorService executor;

    private LocalAdmin(LocalStack stack, ObjectMapper json, int port, Supplier<JsonNode> info) {
        this.stack = stack;
        this.json = json;
        this.info = info;
        try {
            server = HttpServer.create(new InetSocketAddress(HOST, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("admin endpoint cannot bind " + HOST + ":" + port, e);
        }
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "local-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** @param port 0 for a free port */
    public static LocalAdmin start(LocalStack stack, ObjectMapper json, int port, Supplier<JsonNode> info) {
        LocalAdmin admin = new LocalAdmin(stack, json, port, info);
        admin.server.start();
        return admin;
    }

    public URI endpoint() {
        return URI.create("http://" + HOST + ":" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        // The catch clauses answer on the exchange, so it is closed after them (a try-with-resources
        // would close it before they run, and every error would reach the caller as an empty reply).
        try (exchange) {
            answer(exchange);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            byte[] request = body.readAllBytes();
            String method = exchange.getRequestMethod();
            String[] parts =
                    exchange.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/");
            if (parts.length == 1 && parts[0].isEmpty() && method.equals("GET")) {
                respond(exchange, 200, json.writeValueAsBytes(info.get()));
            } else if (parts.length == 3
                    && parts[0].equals("firmware")
                    && (method.equals("POST") || method.equals("PUT"))) {
                String file = query(exchange.getRequestURI()).getOrDefault("file", "firmware-" + parts[2] + ".bin");
                respond(exchange, 200, stack.uploadFirmware(parts[1], parts[2], file, request));
            } else if (parts.length == 2 && parts[0].equals("invoke") && method.equals("POST")) {
                respond(exchange, 200, stack.invoke(parts[1], request));
            } else if (parts.length == 1 && parts[0].equals("metrics") && method.equals("GET")) {
                respond(exchange, 200, json.writeValueAsBytes(stack.metrics().view()));
            } else if (parts.length == 1 && parts[0].equals("events") && method.equals("GET")) {
                respond(exchange, 200, json.writeValueAsBytes(stack.events().received()));
            } else if (parts.length == 2 && parts[0].equals("jobs") && method.equals("GET")) {
                respond(exchange, 200, json.writeValueAsBytes(job(parts[1])));
            } else if (parts.length == 2
                    && parts[0].equals("faults")
                    && parts[1].equals("drop-downloads")
                    && method.equals("POST")) {
                Map<String, String> q = query(exchange.getRequestURI());
                long afterBytes = Long.parseLong(q.getOrDefault("afterBytes", "0"));
                int count = Integer.parseInt(q.getOrDefault("count", "1"));
                long stall = Long.parseLong(q.getOrDefault("stallSeconds", "15"));
                // on whichever endpoint the minter's URLs name: the bucket's own, or CloudFront
                stack.bucketHost().dropNextDownloads(count, afterBytes, Duration.ofSeconds(stall));
                if (stack.cloudFront() != null) {
                    stack.cloudFront().dropNextDownloads(count, afterBytes, Duration.ofSeconds(stall));
                }
                respond(
                        exchange,
                        200,
                        json.writeValueAsBytes(json.createObjectNode()
                                .put("dropNextDownloads", count)
                                .put("afterBytes", afterBytes)
                                .put("stallSeconds", stall)));
            } else if (parts.length == 3 && parts[0].equals("devices") && method.equals("GET")) {
                respond(exchange, 200, json.writeValueAsBytes(device(parts[1], parts[2])));
            } else {
                respond(
                        exchange,
                        404,
                        json.writeValueAsBytes(
                                json.createObjectNode().put("message", "no such operation; GET / lists them")));
            }
        } catch (IllegalArgumentException e) {
            respond(
                    exchange,
                    400,
                    json.writeValueAsBytes(json.createObjectNode().put("message", String.valueOf(e.getMessage()))));
        } catch (Exception e) {
            respond(
                    exchange,
                    500,
                    json.writeValueAsBytes(json.createObjectNode().put("message", String.valueOf(e))));
        }
    }

    private JsonNode job(String jobId) {
        try (DynamoDbClient dynamo = stack.aws().dynamoDb()) {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName("JobsTable")
                            .consistentRead(true)
                            .key(Map.of("jobId", AttributeValue.fromS(jobId))))
                    .item();
            if (item == null || item.isEmpty()) {
                throw new IllegalArgumentException("no job " + jobId);
            }
            ObjectNode out = toJson(item);
            // Per-status counts live on the job item and its counter shards (JobCounters): report their sums.
            for (int shard = 0; shard < JobCounters.SHARDS; shard++) {
                String shardKey = jobId + "#c" + shard;
                Map<String, AttributeValue> counters = dynamo.getItem(r -> r.tableName("JobsTable")
                                .consistentRead(true)
                                .key(Map.of("jobId", AttributeValue.fromS(shardKey))))
                        .item();
                if (counters == null) {
                    continue;
                }
                counters.forEach((name, value) -> {
                    if (name.startsWith("count_") && value.n() != null) {
                        out.put(name, out.path(name).asLong(0) + Long.parseLong(value.n()));
                    }
                });
            }
            ArrayNode executions = out.putArray("executions");
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                QueryResponse page = dynamo.query(r -> r.tableName("ExecutionsTable")
                        .consistentRead(true)
                        .keyConditionExpression("jobId = :j")
                        .expressionAttributeValues(Map.of(":j", AttributeValue.fromS(jobId)))
                        .exclusiveStartKey(from));
                page.items().forEach(row -> executions.add(toJson(row)));
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey()
                        : null;
            } while (start != null);
            return out;
        }
    }

    private JsonNode device(String productId, String deviceName) {
        try (DynamoDbClient dynamo = stack.aws().dynamoDb()) {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName("DevicesTable")
                            .consistentRead(true)
                            .key(Map.of("deviceKey", AttributeValue.fromS(productId + "/" + deviceName))))
                    .item();
            if (item == null || item.isEmpty()) {
                throw new IllegalArgumentException("no device " + productId + "/" + deviceName);
            }
            return toJson(item);
        }
    }

    /** A DynamoDB item as plain JSON (numbers as numbers). */
    ObjectNode toJson(Map<String, AttributeValue> item) {
        ObjectNode out = json.createObjectNode();
        item.forEach((k, v) -> out.set(k, toJson(v)));
        return out;
    }

    private JsonNode toJson(AttributeValue v) {
        if (v.s() != null) {
            return json.getNodeFactory().textNode(v.s());
        }
        if (v.n() != null) {
            return json.getNodeFactory().numberNode(new BigDecimal(v.n()));
        }
        if (v.bool() != null) {
            return json.getNodeFactory().booleanNode(v.bool());
        }
        if (v.hasM()) {
            return toJson(v.m());
        }
        if (v.hasL()) {
            ArrayNode list = json.createArrayNode();
            v.l().forEach(e -> list.add(toJson(e)));
            return list;
        }
        return json.getNodeFactory().nullNode();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(
                            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
