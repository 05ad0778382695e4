package dev.ota.aws.dynamodb;

import static dev.ota.aws.dynamodb.Attr.n;
import static dev.ota.aws.dynamodb.Attr.num;
import static dev.ota.aws.dynamodb.Attr.optNum;
import static dev.ota.aws.dynamodb.Attr.s;
import static dev.ota.aws.dynamodb.Attr.str;

import dev.ota.domain.DeviceState;
import dev.ota.domain.Execution;
import dev.ota.domain.ExecutionEvent;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.FirmwareRef;
import dev.ota.domain.RetryPolicy;
import dev.ota.domain.device.DeviceId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The Devices table item: the device's version and its live execution, flat, so that conditions
 * and updates name plain attributes. See docs/data-model.md.
 */
final class DeviceItem {
    static final String KEY = "deviceKey";
    static final String PRODUCT_ID = "productId";
    static final String DEVICE_NAME = "deviceName";
    static final String CURRENT_VERSION = "currentVersion";
    static final String LAST_SEEN_AT = "lastSeenAt";

    static final String JOB_ID = "execJobId";
    static final String STATUS = "execStatus";
    static final String ATTEMPT = "execAttempt";
    static final String PERCENT = "execPercent";
    static final String TARGET = "execTarget";
    static final String S3_KEY = "execS3Key";
    static final String FILE_SIZE = "execFileSize";
    static final String MD5 = "execMd5";
    static final String FROM_VERSION = "execFromVersion";
    static final String ATTEMPT_STARTED_AT = "execAttemptStartedAt";
    static final String UPDATED_AT = "execUpdatedAt";
    static final String RESULT_CODE = "execResultCode";
    static final String RESULT_MSG = "execResultMsg";
    static final String MAX_ATTEMPTS = "execMaxAttempts";
    static final String RETRYABLE = "execRetryable";
    static final String RETRY_INTERVAL_MS = "execRetryIntervalMs";
    static final String RETRY_NOT_BEFORE = "execRetryNotBefore";
    static final String STAGE = "execStage";
    static final String TIMEOUT_MS = "execTimeoutMs";
    /** Receive time of the run's newest downloading report (epoch ms); NULL while there was none. */
    static final String DOWNLOAD_AT = "execDownloadAt";
    /** The run's distinct events, one per line ({@link ExecutionEvent#encodeAll}); NULL while there are none. */
    static final String HISTORY = "execHistory";
    /**
     * The run's downloading reports with progress, a list of {@link ExecutionEvent#encode} strings:
     * apart from the rest of the history so that the one-write fast path can append to it
     * (list_append) without reading it. Empty or absent while there are none.
     */
    static final String DOWNLOADS = "execDownloads";
    /** Network failures with progress resumed within their attempt (RetryPolicy.allowsResume). */
    static final String RESUMES = "execResumes";
    /** Quiet resends of the current delivery (Execution.resends); absent on items written before it: 0. */
    static final String RESENDS = "execResends";
    /**
     * When update_firmware last went out for the current delivery (epoch ms, Execution.sentAt): the
     * resend cooldown's claim and the quiet time count from it; absent on items written before it.
     */
    static final String SENT_AT = "execSentAt";
    /** String set: dynamic jobs that skipped the device while another job held it. */
    static final String WAITING_JOBS = "waitingJobs";

    /**
     * The table's TTL attribute (template.yaml {@code TimeToLiveSpecification}). While the device
     * never took an update it is a Number, epoch seconds {@link #UNUPDATED_RETENTION} after its
     * latest version report, so an item that only ever reported (a ghost from a name nobody
     * provisioned, or a device long gone) is deleted by DynamoDB. Every execution written to the
     * item sets it to the execution's job id, a String, which TTL ignores: a device that took an
     * update is kept, with its history. See docs/data-model.md.
     */
    static final String EXPIRES_AT = "expiresAt";

    static final Duration UNUPDATED_RETENTION = Duration.ofDays(90);

    private DeviceItem() {}

    static Map<String, AttributeValue> key(DeviceId device) {
        return Map.of(KEY, s(device.key()));
    }

    /** The execution's attributes, for an update's SET clause. */
    static Map<String, AttributeValue> executionAttributes(Execution e) {
        Map<String, AttributeValue> a = new HashMap<>();
        a.put(JOB_ID, s(e.jobId()));
        // Took an update: a String, which DynamoDB's TTL ignores (see EXPIRES_AT).
        a.put(EXPIRES_AT, s(e.jobId()));
        a.put(STATUS, s(e.status().name()));
        a.put(ATTEMPT, n(e.attempt()));
        a.put(PERCENT, n(e.percent()));
        a.put(TARGET, s(e.targetVersion()));
        a.put(S3_KEY, s(e.firmware().s3Key()));
        a.put(FILE_SIZE, n(e.firmware().fileSize()));
        a.put(MD5, s(e.firmware().md5sum()));
        a.put(FROM_VERSION, e.fromVersion() == null ? AttributeValue.fromNul(true) : s(e.fromVersion()));
        a.put(ATTEMPT_STARTED_AT, n(e.attemptStartedAt().toEpochMilli()));
        a.put(UPDATED_AT, n(e.updatedAt().toEpochMilli()));
        a.put(RESULT_CODE, n(e.resultCode()));
        a.put(RESULT_MSG, s(e.resultMsg()));
        a.put(MAX_ATTEMPTS, n(e.retryPolicy().maxAttempts()));
        a.put(
                RETRYABLE,
                s(e.retryPolicy().retryableCodes().stream()
                        .sorted()
                        .map(String::valueOf)
                        .collect(Collectors.joining(","))));
        a.put(RETRY_INTERVAL_MS, n(e.retryPolicy().retryInterval().toMillis()));
        a.put(
                RETRY_NOT_BEFORE,
                e.retryNotBefore() == null
                        ? AttributeValue.fromNul(true)
                        : n(e.retryNotBefore().toEpochMilli()));
        a.put(STAGE, n(e.stage()));
        a.put(
                DOWNLOAD_AT,
                e.downloadAt() == null
                        ? AttributeValue.fromNul(true)
                        : n(e.downloadAt().toEpochMilli()));
        List<ExecutionEvent> others = others(e.history());
        List<ExecutionEvent> downloads = downloads(e.history());
        a.put(HISTORY, others.isEmpty() ? AttributeValue.fromNul(true) : s(ExecutionEvent.encodeAll(others)));
        // an empty list rather than NULL: the fast path's list_append needs a list (or no attribute)
        a.put(
                DOWNLOADS,
                AttributeValue.fromL(downloads.stream().map(d -> s(d.encode())).toList()));
        a.put(
                TIMEOUT_MS,
                e.timeout() == null
                        ? AttributeValue.fromNul(true)
                        : n(e.timeout().toMillis()));
        a.put(RESUMES, n(e.resumes()));
        a.put(RESENDS, n(e.resends()));
        a.put(
                SENT_AT,
                e.sentAt() == null ? AttributeValue.fromNul(true) : n(e.sentAt().toEpochMilli()));
        return a;
    }

    static DeviceState toState(DeviceId device, Map<String, AttributeValue> item) {
        Long lastSeen = optNum(item, LAST_SEEN_AT);
        AttributeValue waiting = item.get(WAITING_JOBS);
        return new DeviceState(
                device,
                str(item, CURRENT_VERSION),
                lastSeen == null ? null : Instant.ofEpochMilli(lastSeen),
                execution(item),
                waiting == null || !waiting.hasSs() ? Set.of() : Set.copyOf(waiting.ss()));
    }

    private static Execution execution(Map<String, AttributeValue> item) {
        String status = str(item, STATUS);
        if (status == null) {
            return null;
        }
        String retryable = str(item, RETRYABLE);
        RetryPolicy policy = new RetryPolicy(
                (int) num(item, MAX_ATTEMPTS, RetryPolicy.DEFAULT.maxAttempts()),
                retryable == null || retryable.isEmpty()
                        ? Set.of()
                        : Arrays.stream(retryable.split(","))
                                .map(Integer::valueOf)
                                .collect(Collectors.toSet()),
                Duration.ofMillis(num(item, RETRY_INTERVAL_MS, 0)));
        Long notBefore = optNum(item, RETRY_NOT_BEFORE);
        Long timeoutMs = optNum(item, TIMEOUT_MS);
        Long downloadAt = optNum(item, DOWNLOAD_AT);
        Long sentAt = optNum(item, SENT_AT);
        return new Execution(
                str(item, JOB_ID),
                new FirmwareRef(str(item, TARGET), str(item, S3_KEY), num(item, FILE_SIZE, 0), str(item, MD5)),
                str(item, FROM_VERSION),
                ExecutionStatus.valueOf(status),
                (int) num(item, ATTEMPT, 0),
                (int) num(item, PERCENT, 0),
                Instant.ofEpochMilli(num(item, ATTEMPT_STARTED_AT, 0)),
                Instant.ofEpochMilli(num(item, UPDATED_AT, 0)),
                (int) num(item, RESULT_CODE, 0),
                str(item, RESULT_MSG) == null ? "" : str(item, RESULT_MSG),
                policy,
                notBefore == null ? null : Instant.ofEpochMilli(notBefore),
                (int) num(item, STAGE, 0),
                timeoutMs == null ? null : Duration.ofMillis(timeoutMs),
                (int) num(item, RESUMES, 0),
                (int) num(item, RESENDS, 0),
                sentAt == null ? null : Instant.ofEpochMilli(sentAt),
                downloadAt == null ? null : Instant.ofEpochMilli(downloadAt),
                history(item));
    }

    /** The history: its events other than downloads and its downloads, in time order. */
    private static List<ExecutionEvent> history(Map<String, AttributeValue> item) {
        List<ExecutionEvent> history = new ArrayList<>(ExecutionEvent.decodeAll(str(item, HISTORY)));
        AttributeValue downloads = item.get(DOWNLOADS);
        if (downloads != null && downloads.hasL()) {
            // the fast path appends without reading: a report it took twice is one event
            downloads.l().stream()
                    .map(d -> ExecutionEvent.decode(d.s()))
                    .filter(d -> !history.contains(d))
                    .forEach(history::add);
            Collections.sort(history);
        }
        return history;
    }

    private static List<ExecutionEvent> downloads(List<ExecutionEvent> history) {
        return history.stream()
                .filter(ev -> ev.kind() == ExecutionEvent.Kind.DOWNLOAD)
                .toList();
    }

    private static List<ExecutionEvent> others(List<ExecutionEvent> history) {
        return history.stream()
                .filter(ev -> ev.kind() != ExecutionEvent.Kind.DOWNLOAD)
                .toList();
    }

    /**
     * Condition: the stored history is {@code history}: the other events as one string (no
     * attribute, or NULL, when none) and as many downloads (the fast path only appends).
     */
    static String historyIs(Expression e, List<ExecutionEvent> history) {
        String h = e.name(HISTORY);
        List<ExecutionEvent> others = others(history);
        String othersAre = others.isEmpty()
                ? "(attribute_not_exists(" + h + ") OR attribute_type(" + h + ", " + e.value(s("NULL")) + "))"
                : h + " = " + e.value(s(ExecutionEvent.encodeAll(others)));
        String d = e.name(DOWNLOADS);
        int n = downloads(history).size();
        String size = "size(" + d + ") = " + e.value(n(n));
        String downloadsAre = n == 0 ? "(attribute_not_exists(" + d + ") OR " + size + ")" : size;
        return othersAre + " AND " + downloadsAre;
    }

    /** Condition: the stored download time is {@code at} (no attribute, or NULL, when null). */
    static String downloadAtIs(Expression e, Instant at) {
        String d = e.name(DOWNLOAD_AT);
        if (at == null) {
            return "(attribute_not_exists(" + d + ") OR attribute_type(" + d + ", " + e.value(s("NULL")) + "))";
        }
        return d + " = " + e.value(n(at.toEpochMilli()));
    }

    /** Condition: the device holds no live execution (it has none, or its last one ended). */
    static String isFree(Expression e) {
        String status = e.name(STATUS);
        StringBuilder terminal = new StringBuilder();
        for (ExecutionStatus st : ExecutionStatus.values()) {
            if (st.terminal()) {
                terminal.append(terminal.length() == 0 ? "" : ", ").append(e.value(s(st.name())));
            }
        }
        return "(attribute_not_exists(" + status + ") OR " + status + " IN (" + terminal + "))";
    }
}
