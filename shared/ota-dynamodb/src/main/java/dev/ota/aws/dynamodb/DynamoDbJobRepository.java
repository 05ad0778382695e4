package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.num;
import static dev.ota.aws.dynamodb.Attr.optNum;
import static dev.ota.aws.dynamodb.Attr.s;
import static dev.ota.aws.dynamodb.Attr.str;

import dev.ota.app.jobs.JobDefinitionJson;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.Page;
import dev.ota.domain.job.ClientToken;
import dev.ota.domain.job.JobActors;
import dev.ota.domain.job.JobCounts;
import dev.ota.domain.job.JobDefinition;
import dev.ota.domain.job.JobEvent;
import dev.ota.domain.job.JobPatch;
import dev.ota.domain.job.JobRecord;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.rollout.ReleaseBudget;
import dev.ota.port.out.JobRepository;
import dev.ota.port.out.LiveJobs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The Jobs table, its one mapper: one item per job (definition, scheduler state, base counts) plus
 * its counter shards (see {@link JobCounters}). Four indexes: {@code byProduct} (productId,
 * createdAt) for listings and "is a live job using this firmware" ({@link LiveJobs}); the sparse
 * {@code byCreated} (listKey = JOB, createdKey = zero-padded createdAt # jobId: every job item and
 * no counter shard, for the listing over all products, newest first); the sparse
 * {@code byLive} (liveKey = LIVE while the scheduler has work for the job); the sparse
 * {@code byDynamicProduct} (dynamicProduct = productId while a dynamic job takes devices that
 * qualify later).
 */
public final class DynamoDbJobRepository implements JobRepository, LiveJobs {

    public static final String BY_PRODUCT = "byProduct";
    public static final String BY_CREATED = "byCreated";
    public static final String BY_LIVE = "byLive";
    public static final String BY_DYNAMIC_PRODUCT = "byDynamicProduct";
    static final String LIVE_KEY = "liveKey";
    static final String LIVE = "LIVE";
    static final String DYNAMIC_PRODUCT = "dynamicProduct";
    /** byCreated's partition key: the one value {@link #JOB}, written only on job items (never on counter shards). */
    static final String LIST_KEY = "listKey";

    static final String JOB = "JOB";
    /** Token items: {@code jobId = token#<clientToken>} (a job id never holds '#'). */
    static final String TOKEN_PREFIX = "token#";

    static final String TOKEN_JOB = "tokenJobId";
    static final String TOKEN_HASH = "requestHash";
    /** When the token is free again, epoch ms: what the create condition compares. */
    static final String TOKEN_EXPIRES_MS = "tokenExpiresAt";
    /** The table's TTL attribute (epoch seconds): DynamoDB removes expired token items, in its own time. */
    static final String EXPIRES_AT = "expiresAt";
    /** byCreated's sort key: {@link #createdKey}. */
    static final String CREATED_KEY = "createdKey";

    // The IAM callers who created, last paused, resumed and canceled the job (JobActors).
    static final String CREATED_BY = "createdBy";
    static final String PAUSED_BY = "pausedBy";
    static final String RESUMED_BY = "resumedBy";
    static final String CANCELED_BY = "canceledBy";
    /** The job's timeline (see {@link JobEvent}). */
    static final String EVENTS = "events";

    private static final List<String> PRODUCT_PAGE_KEY = List.of("jobId", "productId", "createdAt");
    private static final List<String> ALL_PAGE_KEY = List.of("jobId", LIST_KEY, CREATED_KEY);
    /** Job states in which a job may still send update_firmware: every state but the ended ones. */
    static final List<JobStatus> LIVE_STATES =
            Arrays.stream(JobStatus.values()).filter(state -> !state.ended()).toList();

    private final DynamoDbClient dynamo;
    private final Tables tables;

    public DynamoDbJobRepository(DynamoDbClient dynamo, Tables tables) {
        this.dynamo = dynamo;
        this.tables = tables;
    }

    @Override
    public void create(JobRecord job) {
        dynamo.putItem(
                r -> r.tableName(tables.jobs()).item(jobItem(job)).conditionExpression("attribute_not_exists(jobId)"));
    }

    /**
     * The job item and its token item ({@code jobId = token#<token>}: no productId, listKey,
     * liveKey or dynamicProduct, so it is in no index) in one transaction, the token's put
     * conditional on the token being free: absent, or past its {@code tokenExpiresAt} (the table's
     * TTL attribute {@code expiresAt} removes it some time later). A token held answers what holds it.
     */
    @Override
    public Optional<TokenHolder> create(JobRecord job, ClientToken token) {
        Map<String, AttributeValue> tokenItem = new HashMap<>();
        tokenItem.put("jobId", s(TOKEN_PREFIX + token.token()));
        tokenItem.put(TOKEN_JOB, s(job.jobId()));
        tokenItem.put(TOKEN_HASH, s(token.requestHash()));
        tokenItem.put(TOKEN_EXPIRES_MS, n(token.expiresAt().toEpochMilli()));
        tokenItem.put(EXPIRES_AT, n(token.expiresAt().getEpochSecond()));
        Instant now = job.createdAt();
        for (int race = 0; race < 3; race++) {
            Transactions.Outcome outcome;
            try {
                outcome = Transactions.write(
                        dynamo,
                        List.of(
                                TransactWriteItem.builder()
                                        .put(Put.builder()
                                                .tableName(tables.jobs())
                                                .item(tokenItem)
                                                .conditionExpression("attribute_not_exists(#k) OR #x <= :now")
                                                .expressionAttributeNames(Map.of("#k", "jobId", "#x", TOKEN_EXPIRES_MS))
                                                .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli())))
                                                .build())
                                        .build(),
                                TransactWriteItem.builder()
                                        .put(Put.builder()
                                                .tableName(tables.jobs())
                                                .item(jobItem(job))
                                                .conditionExpression("attribute_not_exists(jobId)")
                                                .build())
                                        .build()));
            } catch (TransactionCanceledException conflict) {
                // Another request with this token in flight (TransactionConflict): see what it wrote.
                outcome = null;
            }
            if (outcome != null && outcome.committed()) {
                return Optional.empty();
            }
            Map<String, AttributeValue> held = dynamo.getItem(r -> r.tableName(tables.jobs())
                            .key(key(TOKEN_PREFIX + token.token()))
                            .consistentRead(true))
                    .item();
            if (held != null && !held.isEmpty() && num(held, TOKEN_EXPIRES_MS, 0) > now.toEpochMilli()) {
                return Optional.of(new TokenHolder(str(held, TOKEN_JOB), str(held, TOKEN_HASH)));
            }
            // The holder expired or went between the write and the read: try the write again.
        }
        throw new IllegalStateException("client token " + token.token() + " kept changing");
    }

    /**
     * Counter shards first (no condition: nothing moves a job's counts once it is being deleted),
     * then the job item, conditional on DELETION_IN_PROGRESS: a job item is never gone while
     * shards of it remain.
     */
    @Override
    public boolean delete(String jobId) {
        List<WriteRequest> shards = new ArrayList<>();
        for (int i = 0; i < JobCounters.SHARDS; i++) {
            shards.add(WriteRequest.builder()
                    .deleteRequest(
                            DeleteRequest.builder().key(key(jobId + "#c" + i)).build())
                    .build());
        }
        Batches.write(dynamo, tables.jobs(), shards);
        try {
            dynamo.deleteItem(r -> r.tableName(tables.jobs())
                    .key(key(jobId))
                    .conditionExpression("#s = :deleting")
                    .expressionAttributeNames(Map.of("#s", "jobState"))
                    .expressionAttributeValues(Map.of(":deleting", s(JobStatus.DELETION_IN_PROGRESS.name()))));
            return true;
        } catch (ConditionalCheckFailedException notDeleting) {
            return false;
        }
    }

    /** A Query of {@code byProduct}, newest first, projecting the job id (the index's keys are all it needs). */
    @Override
    public Page<String> jobIds(String productId, String nextToken, int limit) {
        Map<String, AttributeValue> start = PageTokens.decode(nextToken, PRODUCT_PAGE_KEY);
        if (start != null && !productId.equals(str(start, "productId"))) {
            throw PageTokens.invalid();
        }
        QueryResponse page = dynamo.query(r -> r.tableName(tables.jobs())
                .indexName(BY_PRODUCT)
                .keyConditionExpression("productId = :p")
                .expressionAttributeValues(Map.of(":p", s(productId)))
                .projectionExpression("jobId")
                .scanIndexForward(false)
                .limit(limit)
                .exclusiveStartKey(start));
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        return new Page<>(
                page.items().stream().map(i -> str(i, "jobId")).toList(),
                last == null || last.isEmpty() ? null : PageTokens.encode(last, PRODUCT_PAGE_KEY));
    }

    private Map<String, AttributeValue> jobItem(JobRecord job) {
        JobDefinition d = job.definition();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("jobId", s(job.jobId()));
        item.put("productId", s(job.productId()));
        item.put("targetVersion", s(job.firmware().version()));
        item.put("s3Key", s(job.firmware().s3Key()));
        item.put("fileSize", n(job.firmware().fileSize()));
        item.put("md5sum", s(job.firmware().md5sum()));
        item.putAll(retryAttributes(d));
        item.put("jobState", s(job.state().name()));
        item.put("stateReason", s(job.stateReason()));
        item.put("targetCount", n(0));
        item.put("createdAt", n(job.createdAt().toEpochMilli()));
        if (job.actors().createdBy() != null) {
            item.put(CREATED_BY, s(job.actors().createdBy()));
        }
        item.put(EVENTS, events(job.events()));
        item.put("definition", s(JobDefinitionJson.encode(d)));
        item.put("dynamic", AttributeValue.fromBool(d.dynamic()));
        item.put("currentStage", n(0));
        item.put("expanded", AttributeValue.fromBool(false));
        item.put("seqNext", n(0));
        item.put(LIVE_KEY, s(LIVE));
        item.put(LIST_KEY, s(JOB));
        item.put(CREATED_KEY, s(createdKey(job.createdAt(), job.jobId())));
        if (d.dynamic()) {
            item.put(DYNAMIC_PRODUCT, s(job.productId()));
        }
        return item;
    }

    private static Map<String, AttributeValue> retryAttributes(JobDefinition d) {
        return Map.of(
                "maxAttempts",
                n(d.retryPolicy().maxAttempts()),
                "retryableCodes",
                s(d.retryPolicy().retryableCodes().stream()
                        .sorted()
                        .map(String::valueOf)
                        .collect(Collectors.joining(","))),
                "retryIntervalMs",
                n(d.retryPolicy().retryInterval().toMillis()));
    }

    @Override
    public Optional<JobRecord> find(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        r -> r.tableName(tables.jobs()).key(key(jobId)).consistentRead(true))
                .item();
        return item == null || item.isEmpty() || !item.containsKey("productId")
                ? Optional.empty()
                : Optional.of(toRecord(item));
    }

    @Override
    public Optional<JobStatus> state(String jobId) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(tables.jobs())
                        .key(key(jobId))
                        .consistentRead(true)
                        .projectionExpression("#s")
                        .expressionAttributeNames(Map.of("#s", "jobState")))
                .item();
        return item == null || !item.containsKey("jobState")
                ? Optional.empty()
                : Optional.of(JobStatus.valueOf(item.get("jobState").s()));
    }

    @Override
    public JobCounts counts(String jobId) {
        return JobCounters.read(dynamo, tables.jobs(), jobId);
    }

    @Override
    public void adjustCounts(String jobId, JobCounts delta) {
        Expression e = new Expression();
        boolean any = false;
        for (Map.Entry<ExecutionStatus, Long> c : delta.byStatus().entrySet()) {
            if (c.getValue() != 0) {
                e.add(JobCounters.PREFIX + c.getKey().name(), c.getValue());
                any = true;
            }
        }
        for (Map.Entry<Integer, Map<ExecutionStatus, Long>> stage :
                delta.byStage().entrySet()) {
            for (Map.Entry<ExecutionStatus, Long> c : stage.getValue().entrySet()) {
                if (c.getValue() != 0) {
                    e.add(JobCounters.stageAttribute(stage.getKey(), c.getKey()), c.getValue());
                    any = true;
                }
            }
        }
        if (!any) {
            return;
        }
        String exists = "attribute_exists(" + e.name("jobId") + ")";
        dynamo.updateItem(r -> r.tableName(tables.jobs())
                .key(Map.of("jobId", s(jobId)))
                .updateExpression(e.update())
                .conditionExpression(exists)
                .expressionAttributeNames(e.names())
                .expressionAttributeValues(e.values()));
    }

    @Override
    public Map<String, JobCounts> counts(Collection<String> jobIds) {
        return jobIds.isEmpty() ? Map.of() : JobCounters.read(dynamo, tables.jobs(), jobIds);
    }

    /**
     * By product: a Query of {@code byProduct}. Over all products: a Query of the sparse
     * {@code byCreated}, which holds job items only, so a page holds {@code limit} jobs when more
     * follow. Both newest first ({@code ScanIndexForward=false}); a token is the index's last key and
     * is accepted back only by the listing that made it.
     */
    @Override
    public Page<JobRecord> list(String productId, String nextToken, int limit) {
        List<String> keyNames = productId != null ? PRODUCT_PAGE_KEY : ALL_PAGE_KEY;
        Map<String, AttributeValue> start = PageTokens.decode(nextToken, keyNames);
        if (start != null) {
            // A key from another product's listing: DynamoDB refuses a start key outside the query's partition.
            boolean ours = productId != null
                    ? productId.equals(str(start, "productId"))
                    : JOB.equals(str(start, LIST_KEY))
                            && str(start, CREATED_KEY) != null
                            && str(start, "jobId") != null
                            && str(start, CREATED_KEY).endsWith("#" + str(start, "jobId"));
            if (!ours) {
                throw PageTokens.invalid();
            }
        }
        QueryResponse page = productId != null
                ? dynamo.query(r -> r.tableName(tables.jobs())
                        .indexName(BY_PRODUCT)
                        .keyConditionExpression("productId = :p")
                        .expressionAttributeValues(Map.of(":p", s(productId)))
                        .scanIndexForward(false)
                        .limit(limit)
                        .exclusiveStartKey(start))
                : dynamo.query(r -> r.tableName(tables.jobs())
                        .indexName(BY_CREATED)
                        .keyConditionExpression("#k = :job")
                        .expressionAttributeNames(Map.of("#k", LIST_KEY))
                        .expressionAttributeValues(Map.of(":job", s(JOB)))
                        .scanIndexForward(false)
                        .limit(limit)
                        .exclusiveStartKey(start));
        List<JobRecord> jobs = new ArrayList<>();
        page.items().forEach(i -> jobs.add(toRecord(i)));
        Map<String, AttributeValue> last = page.lastEvaluatedKey();
        return new Page<>(jobs, last == null || last.isEmpty() ? null : PageTokens.encode(last, keyNames));
    }

    /**
     * byCreated's sort key: createdAt in epoch milliseconds, zero-padded to 15 digits so the string
     * order is the time order, then {@code #} and the job id (ties newest-first by job id, descending).
     */
    static String createdKey(Instant createdAt, String jobId) {
        return String.format("%015d#%s", createdAt.toEpochMilli(), jobId);
    }

    @Override
    public List<String> liveJobIds() {
        List<String> ids = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName(tables.jobs())
                    .indexName(BY_LIVE)
                    .keyConditionExpression("#k = :live")
                    .expressionAttributeNames(Map.of("#k", LIVE_KEY))
                    .expressionAttributeValues(Map.of(":live", s(LIVE)))
                    .exclusiveStartKey(from));
            page.items().forEach(i -> ids.add(i.get("jobId").s()));
            start = page.lastEvaluatedKey();
        } while (start != null && !start.isEmpty());
        return ids;
    }

    @Override
    public List<JobRecord> liveDynamicJobs(String productId) {
        List<JobRecord> jobs = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName(tables.jobs())
                    .indexName(BY_DYNAMIC_PRODUCT)
                    .keyConditionExpression("#d = :p")
                    .expressionAttributeNames(Map.of("#d", DYNAMIC_PRODUCT))
                    .expressionAttributeValues(Map.of(":p", s(productId)))
                    .exclusiveStartKey(from));
            page.items().forEach(i -> jobs.add(toRecord(i)));
            start = page.lastEvaluatedKey();
        } while (start != null && !start.isEmpty());
        return jobs;
    }

    /**
     * A Query of {@code byProduct} filtered on targetVersion and a jobState that has not ended. Reads
     * every job of the product once in the worst case; a product has few jobs next to its devices.
     */
    @Override
    public Optional<String> targeting(String productId, String version) {
        Expression e = new Expression();
        StringJoiner live = new StringJoiner(", ");
        LIVE_STATES.forEach(state -> live.add(e.value(s(state.name()))));
        String key = e.name("productId") + " = " + e.value(s(productId));
        String filter = e.name("targetVersion") + " = " + e.value(s(version)) + " AND " + e.name("jobState") + " IN ("
                + live + ")";
        String projection = e.name("jobId");
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(r -> r.tableName(tables.jobs())
                    .indexName(BY_PRODUCT)
                    .keyConditionExpression(key)
                    .filterExpression(filter)
                    .projectionExpression(projection)
                    .expressionAttributeNames(e.names())
                    .expressionAttributeValues(e.values())
                    .exclusiveStartKey(from));
            if (!page.items().isEmpty()) {
                return Optional.of(str(page.items().get(0), "jobId"));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return Optional.empty();
    }

    @Override
    public boolean update(String jobId, JobPatch p) {
        Expression e = new Expression();
        StringJoiner condition = new StringJoiner(" AND ");
        condition.add("attribute_exists(" + e.name("jobId") + ")");
        if (p.conditionStates() != null) {
            StringJoiner in = new StringJoiner(", ");
            p.conditionStates().forEach(st -> in.add(e.value(s(st.name()))));
            condition.add(e.name("jobState") + " IN (" + in + ")");
        }
        if (p.conditionOnPlanAt()) {
            condition.add(
                    p.conditionPlanAt() == null
                            ? "attribute_not_exists(" + e.name("planAt") + ")"
                            : e.name("planAt") + " = "
                                    + e.value(n(p.conditionPlanAt().toEpochMilli())));
        }
        if (p.conditionOnCursor()) {
            condition.add(
                    p.conditionCursor() == null
                            ? "attribute_not_exists(" + e.name("cursor") + ")"
                            : e.name("cursor") + " = " + e.value(s(p.conditionCursor())));
        }
        if (p.conditionCurrentStage() != null) {
            condition.add(e.name("currentStage") + " = " + e.value(n(p.conditionCurrentStage())));
        }
        if (p.conditionDefinition() != null) {
            condition.add(e.name("definition") + " = " + e.value(s(JobDefinitionJson.encode(p.conditionDefinition()))));
        }
        if (p.newDefinition() != null) {
            e.set("definition", s(JobDefinitionJson.encode(p.newDefinition())));
            retryAttributes(p.newDefinition()).forEach(e::set);
        }
        if (p.newState() != null) {
            e.set("jobState", s(p.newState().name()));
        }
        if (p.newStateReason() != null) {
            e.set("stateReason", s(p.newStateReason()));
        }
        if (p.newCurrentStage() != null) {
            e.set("currentStage", n(p.newCurrentStage()));
        }
        if (p.newStageSizes() != null) {
            e.set(
                    "stageSizes",
                    s(p.newStageSizes().stream().map(String::valueOf).collect(Collectors.joining(","))));
        }
        if (p.newExpanded() != null) {
            e.set("expanded", AttributeValue.fromBool(p.newExpanded()));
        }
        if (p.setsCursor()) {
            e.setOrRemove("cursor", p.newCursor() == null ? null : s(p.newCursor()));
        }
        if (p.newSeqNext() != null) {
            e.set("seqNext", n(p.newSeqNext()));
        }
        if (p.newHeartbeat() != null) {
            e.set("expansionHeartbeat", n(p.newHeartbeat().toEpochMilli()));
        }
        if (p.newBudget() != null) {
            e.set(
                    "budgetTokens",
                    AttributeValue.fromN(Double.toString(p.newBudget().tokens())));
            e.set("budgetAt", n(p.newBudget().refilledAt().toEpochMilli()));
        }
        if (p.newPlanAt() != null) {
            e.set("planAt", n(p.newPlanAt().toEpochMilli()));
        }
        if (p.newPausedByRule() != null) {
            e.set("pausedByRule", AttributeValue.fromBool(p.newPausedByRule()));
        }
        if (p.newResumedStage() != null) {
            e.set("resumedStage", n(p.newResumedStage()));
        }
        if (p.newWindowEnded() != null) {
            e.set("windowEnded", AttributeValue.fromBool(p.newWindowEnded()));
        }
        if (p.newPausedBy() != null) {
            e.set(PAUSED_BY, s(p.newPausedBy()));
        }
        if (p.newResumedBy() != null) {
            e.set(RESUMED_BY, s(p.newResumedBy()));
        }
        if (p.newCanceledBy() != null) {
            e.set(CANCELED_BY, s(p.newCanceledBy()));
        }
        if (p.newSwept() != null) {
            e.set("swept", AttributeValue.fromBool(p.newSwept()));
        }
        if (Boolean.FALSE.equals(p.newLive())) {
            e.remove(LIVE_KEY);
        } else if (Boolean.TRUE.equals(p.newLive())) {
            e.set(LIVE_KEY, s(LIVE));
        }
        if (Boolean.FALSE.equals(p.newDynamicActive())) {
            e.remove(DYNAMIC_PRODUCT);
        }
        if (p.addedTargets() != 0) {
            e.add("targetCount", p.addedTargets());
        }
        if (p.addedQueued() != 0) {
            e.add(JobCounters.PREFIX + "QUEUED", p.addedQueued());
        }
        if (p.addedInvalid() != 0) {
            e.add("invalidNames", p.addedInvalid());
        }
        if (p.addedDuplicates() != 0) {
            e.add("duplicateNames", p.addedDuplicates());
        }
        if (p.newEvent() != null) {
            if (p.startsEvents()) {
                e.set(EVENTS, events(List.of(p.newEvent())));
            } else {
                e.setEntry(EVENTS, p.newEvent().id(), event(p.newEvent()));
                p.droppedEvents().forEach(id -> e.removeEntry(EVENTS, id));
            }
        }
        String update = e.update();
        if (update.isEmpty()) {
            return true;
        }
        try {
            dynamo.updateItem(r -> r.tableName(tables.jobs())
                    .key(key(jobId))
                    .updateExpression(update)
                    .conditionExpression(condition.toString())
                    .expressionAttributeNames(e.names())
                    .expressionAttributeValues(e.values()));
            return true;
        } catch (ConditionalCheckFailedException lost) {
            return false;
        }
    }

    /** The timeline: a map by event id (ids order the events), so appends and drops touch one entry each. */
    private static AttributeValue events(List<JobEvent> events) {
        Map<String, AttributeValue> map = new HashMap<>();
        events.forEach(ev -> map.put(ev.id(), event(ev)));
        return AttributeValue.fromM(map);
    }

    private static AttributeValue event(JobEvent ev) {
        Map<String, AttributeValue> m = new HashMap<>();
        m.put("at", n(ev.at().toEpochMilli()));
        m.put("kind", s(ev.kind().name()));
        if (ev.actor() != null) {
            m.put("actor", s(ev.actor()));
        }
        if (ev.detail() != null) {
            m.put("detail", s(ev.detail()));
        }
        return AttributeValue.fromM(m);
    }

    private static List<JobEvent> events(Map<String, AttributeValue> item) {
        AttributeValue v = item.get(EVENTS);
        if (v == null || !v.hasM()) {
            return List.of();
        }
        return v.m().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(en -> {
                    Map<String, AttributeValue> m = en.getValue().m();
                    return new JobEvent(
                            en.getKey(),
                            Instant.ofEpochMilli(num(m, "at", 0)),
                            JobEvent.Kind.valueOf(str(m, "kind")),
                            str(m, "actor"),
                            str(m, "detail"));
                })
                .toList();
    }

    private static Map<String, AttributeValue> key(String jobId) {
        return Map.of("jobId", s(jobId));
    }

    static JobRecord toRecord(Map<String, AttributeValue> item) {
        String definition = str(item, "definition");
        JobDefinition d = definition == null ? null : JobDefinitionJson.decode(definition);
        FirmwareRef firmware = new FirmwareRef(
                str(item, "targetVersion"), str(item, "s3Key"), num(item, "fileSize", 0), str(item, "md5sum"));
        String sizes = str(item, "stageSizes");
        Long budgetAt = optNum(item, "budgetAt");
        AttributeValue tokens = item.get("budgetTokens");
        Long heartbeat = optNum(item, "expansionHeartbeat");
        Long planAt = optNum(item, "planAt");
        boolean legacy = d == null;
        return new JobRecord(
                str(item, "jobId"),
                str(item, "productId"),
                firmware,
                d,
                JobStatus.valueOf(str(item, "jobState")),
                str(item, "stateReason") != null
                        ? str(item, "stateReason")
                        : legacy ? "made by the update-devices function" : "",
                num(item, "targetCount", 0),
                (int) num(item, "currentStage", 0),
                sizes == null || sizes.isEmpty()
                        ? List.of()
                        : Arrays.stream(sizes.split(",")).map(Long::valueOf).toList(),
                legacy || bool(item, "expanded"),
                str(item, "cursor"),
                num(item, "seqNext", 0),
                heartbeat == null ? null : Instant.ofEpochMilli(heartbeat),
                num(item, "invalidNames", 0),
                num(item, "duplicateNames", 0),
                budgetAt == null || tokens == null
                        ? null
                        : new ReleaseBudget(Double.parseDouble(tokens.n()), Instant.ofEpochMilli(budgetAt)),
                planAt == null ? null : Instant.ofEpochMilli(planAt),
                bool(item, "pausedByRule"),
                (int) num(item, "resumedStage", -1),
                bool(item, "windowEnded"),
                bool(item, "swept"),
                Instant.ofEpochMilli(num(item, "createdAt", 0)),
                new JobActors(
                        str(item, CREATED_BY), str(item, PAUSED_BY), str(item, RESUMED_BY), str(item, CANCELED_BY)),
                events(item));
    }

    private static boolean bool(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v != null && Boolean.TRUE.equals(v.bool());
    }
}
