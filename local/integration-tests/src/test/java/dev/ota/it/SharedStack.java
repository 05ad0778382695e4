package dev.ota.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.LocalAws;
import dev.ota.local.standin.RepoRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One local stack per parameter set for the whole test run: starting one costs seconds, and
 * tests stay apart by using their own product ids.
 */
final class SharedStack {

    private static final Map<Map<String, String>, LocalStack> STACKS = new ConcurrentHashMap<>();
    static final ObjectMapper JSON = new ObjectMapper();

    private SharedStack() {}

    static LocalStack get() {
        return get(Map.of());
    }

    /** A stack started with these template parameter overrides (e.g. a short URL expiry). */
    static synchronized LocalStack get(Map<String, String> parameters) {
        return STACKS.computeIfAbsent(parameters, p -> {
            LocalStack stack = LocalStack.start(
                    new LocalStack.Options(RepoRoot.find().resolve("template.yaml"), LocalAws.Ports.free(), 4, p));
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            return stack;
        });
    }

    /**
     * Template parameters for upload tests: multipart above 8 MiB in 5 MiB parts (S3's smallest), so
     * a 12 MiB file takes the multipart path without writing 64 MiB.
     */
    static final Map<String, String> SMALL_UPLOAD_PARTS =
            Map.of("UploadMultipartThresholdMiB", "8", "UploadPartSizeMiB", "5");

    /** S3 presigned download URLs, for devices with a full HTTP stack (the template's default is CloudFront). */
    static final Map<String, String> S3_PRESIGNED =
            Map.of("DownloadUrlMinter", "s3-presigned", "DeviceProfile", "capable");

    /** {@code base} with S3 presigned download URLs. */
    static Map<String, String> s3Presigned(Map<String, String> base) {
        Map<String, String> all = new HashMap<>(base);
        all.putAll(S3_PRESIGNED);
        return Map.copyOf(all);
    }

    static Path repo() {
        return RepoRoot.find();
    }

    /** Random firmware bytes, repeatable per seed. */
    static byte[] firmwareBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Uploads firmware under firmware/{productId}/{version}/ and registers it as S3 would notify. */
    static JsonNode uploadAndRegister(LocalStack stack, String productId, String version, byte[] bytes)
            throws Exception {
        String key = "firmware/" + productId + "/" + version + "/firmware.bin";
        try (S3Client s3 = stack.aws().s3()) {
            s3.putObject(r -> r.bucket(stack.bucket()).key(key), RequestBody.fromBytes(bytes));
        }
        String event = "{\"Records\":[{\"eventSource\":\"aws:s3\",\"s3\":{\"bucket\":{\"name\":\"" + stack.bucket()
                + "\"},\"object\":{\"key\":\"" + key + "\",\"size\":" + bytes.length + "}}}]}";
        return invoke(stack, "FirmwareRegistrationFunction", event);
    }

    /**
     * Waits until the rules router has started {@code expected} invocations more than {@code before}
     * (a publish reaches the router asynchronously, after the broker acknowledged it) and then until
     * nothing is queued or running.
     */
    static void awaitRouted(LocalStack stack, int before, int expected) {
        long deadline = System.currentTimeMillis() + 15_000;
        while (stack.router().invocations() < before + expected) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the router started " + (stack.router().invocations() - before)
                        + " invocations, expected " + expected);
            }
            sleep(5);
        }
        if (!stack.router().awaitIdle(15_000)) {
            throw new AssertionError("the router did not become idle");
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode invoke(LocalStack stack, String function, String event) throws Exception {
        return JSON.readTree(stack.invoke(function, event.getBytes(StandardCharsets.UTF_8)));
    }

    /** The version-report function's resend cooldown as the stack runs it (the template's parameter). */
    static java.time.Duration resendCooldown(LocalStack stack) {
        String seconds = stack.template().functions().stream()
                .filter(f -> f.logicalId().equals("VersionReportFunction"))
                .findFirst()
                .orElseThrow()
                .environment()
                .get("RESEND_COOLDOWN_SECONDS");
        return java.time.Duration.ofSeconds(Long.parseLong(seconds));
    }
}
