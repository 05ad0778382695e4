package dev.ota.it;

import static dev.ota.it.OtaTables.n;
import static dev.ota.it.OtaTables.s;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.domain.RetryPolicy;
import dev.ota.local.device.CSdkDevice;
import dev.ota.local.device.CSdkDevice.Outcome;
import dev.ota.local.device.Registered;
import dev.ota.local.device.SimulatedDevice;
import dev.ota.local.stack.LocalStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A device that behaves as Tencent's C SDK ({@link CSdkDevice}) on a network that cuts its download
 * mid-way five times: each cut is {@code fail} -5 "time_out" after progress, so a resume of the same
 * attempt; each resume is a Range from its saved offset, so the firmware crosses the network once;
 * the update ends SUCCEEDED in attempt 1 with 5 resumes. Once on each download URL minter:
 * CloudFront (the template's default) and S3 presigned through the bucket's own endpoint. And once
 * after an expired URL: the 403 is {@code fail} -3 then -5 and costs one attempt, not two.
 */
class CSdkResumeIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int SIZE = 120_000;
    private static final int CUTS = 5;
    /** Body bytes each cut download delivers before its connection dies. */
    private static final long CUT_AFTER = 15_000;
    /**
     * CloudFront URLs that live 5 s: long enough for a fresh one to be used, short enough to wait
     * out (the template's MinValue, 60 s, is not enforced locally).
     */
    private static final Map<String, String> SHORT_URL_EXPIRY = Map.of("UrlExpirySeconds", "5");
    /** The C sample reports its version again about 2 s after a failure. */
    private static final Duration C_SAMPLE_RE_REPORT = Duration.ofSeconds(2);

    @Test
    void fiveCutsOnCloudFrontAreResumesOfTheFirstAttempt() throws Exception {
        LocalStack stack = SharedStack.get();
        assertThat(CUTS).isLessThanOrEqualTo(RetryPolicy.MAX_RESUMES);
        stack.cloudFront().dropNextDownloads(CUTS, CUT_AFTER, Duration.ZERO);
        updateThroughCuts(
                stack,
                "CSDKCUTSCF",
                "http://" + stack.cloudFront().domainName() + "/",
                () -> stack.cloudFront().bytesServed());
    }

    @Test
    void fiveCutsOnS3PresignedAreResumesOfTheFirstAttempt() throws Exception {
        LocalStack stack = SharedStack.get(SharedStack.S3_PRESIGNED);
        stack.bucketHost().dropNextDownloads(CUTS, CUT_AFTER, Duration.ZERO);
        updateThroughCuts(
                stack,
                "CSDKCUTSS3",
                stack.bucketHost().endpoint() + "/",
                () -> stack.bucketHost().bytesServed());
    }

    /**
     * The device is slow to start: its first URL has expired (CloudFront 403). It reports -3 then -5
     * (facts.md §1) and, about 2 s later as the C sample does, its version; the fresh
     * {@code update_firmware} starts attempt 2, whose downloads are cut twice and resumed. The pair
     * cost one attempt and the trailing -5 did not land on attempt 2.
     */
    @Test
    void expiredUrlCostsOneAttemptAndTheCutsAfterItAreResumes() throws Exception {
        LocalStack stack = SharedStack.get(SHORT_URL_EXPIRY);
        String product = "CSDKEXPIRYCF";
        String deviceName = "dev-csdk-expiry";
        int cuts = 2;
        byte[] firmware = SharedStack.firmwareBytes(SIZE, 13);
        SharedStack.uploadAndRegister(stack, product, "1.1.0", firmware);
        long servedBefore = stack.cloudFront().bytesServed();
        long deniedBefore = stack.cloudFront().denied();
        String jobId;
        List<Outcome> outcomes;

        try (SimulatedDevice mqtt = new SimulatedDevice(
                        Registered.mqttUrl(stack, product, deviceName), product, deviceName, "$ota")
                .connect()) {
            AtomicInteger routed = new AtomicInteger(stack.router().invocations());
            CSdkDevice device = new CSdkDevice(
                    mqtt,
                    "1.0.0",
                    Duration.ofSeconds(5),
                    C_SAMPLE_RE_REPORT,
                    () -> SharedStack.awaitRouted(stack, routed.incrementAndGet(), 0));
            device.reportVersion();
            assertThat(mqtt.await("report_version_rsp", WAIT)).isNotNull();

            JsonNode result = SharedStack.invoke(
                    stack,
                    "UpdateDevicesFunction",
                    "{\"productId\":\"" + product + "\",\"version\":\"1.1.0\",\"deviceNames\":[\"" + deviceName
                            + "\"]}");
            assertThat(result.path("delivered")).extracting(JsonNode::asText).containsExactly(deviceName);
            jobId = result.path("jobId").asText();
            JsonNode first = mqtt.await("update_firmware", WAIT);
            assertThat(first).isNotNull();
            String url = first.path("url").asText();
            assertThat(url).startsWith("http://" + stack.cloudFront().domainName() + "/");

            // CloudFront refuses a canned policy from its Expires second on.
            long expires = Long.parseLong(url.replaceFirst(".*[?&]Expires=(\\d+).*", "$1"));
            Thread.sleep(Math.max(0, (expires + 1) * 1000 - System.currentTimeMillis()));
            stack.cloudFront().dropNextDownloads(cuts, CUT_AFTER, Duration.ZERO);

            outcomes = device.updateUntilDone(first, Duration.ofSeconds(90));
            assertThat(device.runningVersion()).isEqualTo("1.1.0");
        }

        List<Outcome> expected = new ArrayList<>();
        expected.add(Outcome.FORBIDDEN);
        expected.addAll(Collections.nCopies(cuts, Outcome.CUT));
        expected.add(Outcome.DONE);
        assertThat(outcomes).isEqualTo(expected);
        assertThat(stack.cloudFront().denied() - deniedBefore).isEqualTo(1);
        assertThat(stack.cloudFront().bytesServed() - servedBefore).isEqualTo(SIZE);

        Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, deviceName);
        assertThat(s(row, "status")).isEqualTo("SUCCEEDED");
        assertThat(n(row, "attempt"))
                .as("the 403's -3 and its trailing -5 cost one attempt")
                .isEqualTo(2);
        assertThat(n(row, "resumes")).isEqualTo(cuts);
        Map<String, AttributeValue> item = OtaTables.device(stack, product, deviceName);
        assertThat(s(item, "execStatus")).isEqualTo("SUCCEEDED");
        assertThat(n(item, "execAttempt")).isEqualTo(2);
        assertThat(n(item, "execResumes")).isEqualTo(cuts);
        assertThat(s(item, "currentVersion")).isEqualTo("1.1.0");
        assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of("SUCCEEDED", 1L));
        assertThat(stack.router().deadLetters()).isEmpty();
    }

    private void updateThroughCuts(LocalStack stack, String product, String urlPrefix, LongSupplier bytesServed)
            throws Exception {
        String deviceName = "dev-csdk";
        byte[] firmware = SharedStack.firmwareBytes(SIZE, 11);
        SharedStack.uploadAndRegister(stack, product, "1.1.0", firmware);
        long servedBefore = bytesServed.getAsLong();
        String jobId;
        List<Outcome> outcomes;

        try (SimulatedDevice mqtt = new SimulatedDevice(
                        Registered.mqttUrl(stack, product, deviceName), product, deviceName, "$ota")
                .connect()) {
            // Each report is handled before the next, as the seconds between a real device's reports allow.
            AtomicInteger routed = new AtomicInteger(stack.router().invocations());
            CSdkDevice device = new CSdkDevice(
                    mqtt,
                    "1.0.0",
                    Duration.ofSeconds(5),
                    Duration.ofMillis(200),
                    () -> SharedStack.awaitRouted(stack, routed.incrementAndGet(), 0));
            device.reportVersion();
            assertThat(mqtt.await("report_version_rsp", WAIT)).isNotNull();

            JsonNode result = SharedStack.invoke(
                    stack,
                    "UpdateDevicesFunction",
                    "{\"productId\":\"" + product + "\",\"version\":\"1.1.0\",\"deviceNames\":[\"" + deviceName
                            + "\"]}");
            assertThat(result.path("delivered")).extracting(JsonNode::asText).containsExactly(deviceName);
            jobId = result.path("jobId").asText();
            JsonNode first = mqtt.await("update_firmware", WAIT);
            assertThat(first).isNotNull();
            assertThat(first.path("url").asText()).startsWith(urlPrefix);

            outcomes = device.updateUntilDone(first, Duration.ofSeconds(90));
            assertThat(device.runningVersion()).isEqualTo("1.1.0");
        }

        List<Outcome> expected = new ArrayList<>(Collections.nCopies(CUTS, Outcome.CUT));
        expected.add(Outcome.DONE);
        assertThat(outcomes).isEqualTo(expected);
        // every resume went on from its saved offset: the firmware crossed the network once
        assertThat(bytesServed.getAsLong() - servedBefore).isEqualTo(SIZE);

        Map<String, AttributeValue> row = OtaTables.execution(stack, jobId, deviceName);
        assertThat(s(row, "status")).isEqualTo("SUCCEEDED");
        assertThat(n(row, "attempt"))
                .as("cuts with progress are resumes, not attempts")
                .isEqualTo(1);
        assertThat(n(row, "resumes")).isEqualTo(CUTS);
        Map<String, AttributeValue> item = OtaTables.device(stack, product, deviceName);
        assertThat(s(item, "execStatus")).isEqualTo("SUCCEEDED");
        assertThat(n(item, "execAttempt")).isEqualTo(1);
        assertThat(n(item, "execResumes")).isEqualTo(CUTS);
        assertThat(s(item, "currentVersion")).isEqualTo("1.1.0");
        assertThat(OtaTables.counts(stack, jobId)).isEqualTo(Map.of("SUCCEEDED", 1L));
        assertThat(stack.router().deadLetters()).isEmpty();
    }
}
