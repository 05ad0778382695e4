package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ota.digest.FirmwareDigests;
import dev.ota.local.stack.LocalStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The firmware catalogue through the real management-API handler, over real HTTP (the local HTTP
 * API, SigV4-signed), with presigned uploads into s3proxy and registration by the emulated S3
 * notification - the way an operator's tool drives it on AWS.
 */
class ManagementApiIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long MIB = 1024 * 1024;

    private final LocalStack stack = SharedStack.get(SharedStack.SMALL_UPLOAD_PARTS);
    private final ApiClient api = ApiClient.local(stack.apiEndpoint());

    private static String md5(byte[] bytes) {
        return FirmwareDigests.md5Hex(bytes);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String startBody(String product, String version, long size, String md5, String description) {
        ObjectNode body = SharedStack.JSON
                .createObjectNode()
                .put("productId", product)
                .put("version", version)
                .put("fileSize", size)
                .put("md5sum", md5);
        if (description != null) {
            body.put("description", description);
        }
        return body.toString();
    }

    /** Polls describe until the firmware leaves UPLOADING. */
    private JsonNode awaitSettled(String product, String version) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ApiClient.Response r = api.get("/firmware/" + product + "/" + version);
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
            if (!"UPLOADING".equals(r.body().path("status").asText())) {
                return r.body();
            }
            assertThat(System.nanoTime())
                    .as(
                            "firmware %s/%s still UPLOADING; S3 notification failures: %s",
                            product, version, stack.s3NotificationFailures())
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private JsonNode uploadSmall(String product, String version, byte[] bytes, String declaredMd5) throws Exception {
        ApiClient.Response started =
                api.post("/firmware", startBody(product, version, bytes.length, declaredMd5, "v" + version));
        assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
        assertThat(started.body().path("method").asText()).isEqualTo("PUT");
        api.putPresigned(started.body().path("url").asText(), bytes);
        return awaitSettled(product, version);
    }

    @Test
    void requestsMustBeSignedAndSignedRight() throws Exception {
        ApiClient.Response unsigned = api.unsigned("GET", "/firmware");
        assertThat(unsigned.status()).isEqualTo(403);
        assertThat(unsigned.body().path("message").asText()).isEqualTo("Forbidden");

        ApiClient.Response wrongSecret = api.withCredentials(
                        AwsBasicCredentials.create(dev.ota.local.standin.EmbeddedS3.ACCESS_KEY, "not-the-secret"))
                .get("/firmware");
        assertThat(wrongSecret.status()).isEqualTo(403);
        assertThat(wrongSecret.body().path("message").asText()).contains("signature we calculated does not match");

        assertThat(api.get("/firmware").status()).isEqualTo(200);
    }

    @Test
    void singlePutUploadIsVerifiedAndMadeAvailable() throws Exception {
        byte[] bytes = SharedStack.firmwareBytes(300_000, 11);
        ApiClient.Response started = api.post(
                "/firmware",
                startBody("APIPUT", "1.0.0", bytes.length, md5(bytes).toUpperCase(), "first"));

        assertThat(started.status()).isEqualTo(201);
        assertThat(started.body().path("method").asText()).isEqualTo("PUT");
        assertThat(started.body().path("s3Key").asText()).isEqualTo("firmware/APIPUT/1.0.0/firmware.bin");
        assertThat(started.body().path("parts")).isEmpty();
        JsonNode reserved = api.get("/firmware/APIPUT/1.0.0").body();
        assertThat(reserved.path("status").asText()).isIn("UPLOADING", "AVAILABLE");
        assertThat(reserved.path("md5sum").asText()).as("stored lowercase").isEqualTo(md5(bytes));

        api.putPresigned(started.body().path("url").asText(), bytes);
        JsonNode fw = awaitSettled("APIPUT", "1.0.0");

        assertThat(fw.path("status").asText()).isEqualTo("AVAILABLE");
        assertThat(fw.path("fileSize").asLong()).isEqualTo(bytes.length);
        assertThat(fw.path("md5sum").asText()).isEqualTo(md5(bytes));
        assertThat(fw.path("sha256").asText()).isEqualTo(sha256(bytes));
        assertThat(fw.path("description").asText()).isEqualTo("first");
        assertThat(fw.path("registeredAt").isTextual()).isTrue();
        assertThat(fw.path("rejectionReason").isNull()).isTrue();
    }

    @Test
    void multipartUploadOf12MiBWithPresignedPartUrls() throws Exception {
        byte[] bytes = SharedStack.firmwareBytes((int) (12 * MIB), 12);
        ApiClient.Response started =
                api.post("/firmware", startBody("APIMULTI", "2.0.0", bytes.length, md5(bytes), "big"));

        assertThat(started.status()).as(String.valueOf(started.body())).isEqualTo(201);
        JsonNode ticket = started.body();
        assertThat(ticket.path("method").asText()).isEqualTo("MULTIPART");
        assertThat(ticket.path("partSize").asLong()).isEqualTo(5 * MIB);
        assertThat(ticket.path("parts")).hasSize(3);
        ArrayNode done = SharedStack.JSON.createArrayNode();
        long partSize = ticket.path("partSize").asLong();
        for (JsonNode part : ticket.path("parts")) {
            int n = part.path("partNumber").asInt();
            int from = (int) ((n - 1) * partSize);
            int to = (int) Math.min(bytes.length, from + partSize);
            String etag = api.putPresigned(part.path("url").asText(), java.util.Arrays.copyOfRange(bytes, from, to));
            done.addObject().put("partNumber", n).put("etag", etag);
        }
        assertThat(api.get("/firmware/APIMULTI/2.0.0").body().path("status").asText())
                .as("nothing lands before completion")
                .isEqualTo("UPLOADING");

        ObjectNode complete = SharedStack.JSON
                .createObjectNode()
                .put("uploadId", ticket.path("uploadId").asText());
        complete.set("parts", done);
        ApiClient.Response completed = api.post("/firmware/APIMULTI/2.0.0/complete", complete.toString());
        assertThat(completed.status()).as(String.valueOf(completed.body())).isEqualTo(200);

        JsonNode fw = awaitSettled("APIMULTI", "2.0.0");
        assertThat(fw.path("status").asText()).isEqualTo("AVAILABLE");
        assertThat(fw.path("fileSize").asLong()).isEqualTo(12 * MIB);
        assertThat(fw.path("md5sum").asText()).isEqualTo(md5(bytes));
        assertThat(fw.path("sha256").asText()).isEqualTo(sha256(bytes));

        ApiClient.Response again = api.post("/firmware/APIMULTI/2.0.0/complete", complete.toString());
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("CONFLICT");
    }

    @Test
    void completingWithWrongEtagsIsA4xx() throws Exception {
        byte[] bytes = SharedStack.firmwareBytes((int) (9 * MIB), 13);
        JsonNode ticket = api.post("/firmware", startBody("APIBADPARTS", "1.0.0", bytes.length, md5(bytes), null))
                .body();
        ArrayNode parts = SharedStack.JSON.createArrayNode();
        for (JsonNode part : ticket.path("parts")) {
            parts.addObject()
                    .put("partNumber", part.path("partNumber").asInt())
                    .put("etag", "\"00000000000000000000000000000000\"");
        }
        ObjectNode complete = SharedStack.JSON
                .createObjectNode()
                .put("uploadId", ticket.path("uploadId").asText());
        complete.set("parts", parts);

        ApiClient.Response r = api.post("/firmware/APIBADPARTS/1.0.0/complete", complete.toString());

        assertThat(r.status()).as(String.valueOf(r.body())).isBetween(400, 499);
        assertThat(r.code()).isIn("INVALID_REQUEST", "NOT_FOUND");
    }

    @Test
    void md5MismatchRejectsTheFirmwareAndNoUpdateCanUseIt() throws Exception {
        byte[] bytes = SharedStack.firmwareBytes(200_000, 14);
        String wrong = "0123456789abcdef0123456789abcdef";

        JsonNode fw = uploadSmall("APIREJECT", "3.0.0", bytes, wrong);

        assertThat(fw.path("status").asText()).isEqualTo("REJECTED");
        assertThat(fw.path("rejectionReason").asText())
                .isEqualTo("declared md5sum " + wrong + " does not match the uploaded object's " + md5(bytes));
        assertThat(fw.path("md5sum").asText()).isEqualTo(wrong);

        JsonNode update = SharedStack.invoke(
                stack,
                "UpdateDevicesFunction",
                "{\"productId\":\"APIREJECT\",\"version\":\"3.0.0\",\"deviceNames\":[\"dev-1\"]}");
        assertThat(update.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(update.path("reason").asText()).contains("is not registered and available");

        // The S3 event again (S3 delivers at least once): the same verdict, answered as REJECTED.
        String event = "{\"Records\":[{\"eventSource\":\"aws:s3\",\"s3\":{\"bucket\":{\"name\":\"" + LocalStack.BUCKET
                + "\"},\"object\":{\"key\":\"firmware/APIREJECT/3.0.0/firmware.bin\"}}}]}";
        JsonNode again = SharedStack.invoke(stack, "FirmwareRegistrationFunction", event);
        assertThat(again.path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(again.path("reason").asText()).contains("does not match the uploaded object's");
        assertThat(again.path("firmware").get(0).path("status").asText()).isEqualTo("REJECTED");

        // The operator deletes the rejected upload and tries again with the right md5.
        assertThat(api.send("DELETE", "/firmware/APIREJECT/3.0.0", null).status())
                .isEqualTo(204);
        assertThat(uploadSmall("APIREJECT", "3.0.0", bytes, md5(bytes))
                        .path("status")
                        .asText())
                .isEqualTo("AVAILABLE");
    }

    @Test
    void declaredSizeMustMatchToo() throws Exception {
        byte[] bytes = SharedStack.firmwareBytes(1000, 15);
        ApiClient.Response started = api.post("/firmware", startBody("APISIZE", "1.0.0", 999, md5(bytes), null));
        api.putPresigned(started.body().path("url").asText(), bytes);

        JsonNode fw = awaitSettled("APISIZE", "1.0.0");

        assertThat(fw.path("status").asText()).isEqualTo("REJECTED");
        assertThat(fw.path("rejectionReason").asText())
                .contains("declared size 999 bytes does not match the uploaded object's 1000");
    }

    @Test
    void versionsAreUniquePerProduct() throws Exception {
        byte[] bytes = SharedStack.firmwareBytes(1000, 16);
        uploadSmall("APITAKEN", "1.0.0", bytes, md5(bytes));

        ApiClient.Response again =
                api.post("/firmware", startBody("APITAKEN", "1.0.0", bytes.length, md5(bytes), null));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("VERSION_TAKEN");
        assertThat(api.post("/firmware", startBody("APITAKEN", "x".repeat(33), 1, md5(bytes), null))
                        .code())
                .isEqualTo("INVALID_REQUEST");
        assertThat(api.post("/firmware", startBody("APITAKEN", "big", 1024 * MIB + 1, md5(bytes), null))
                        .code())
                .isEqualTo("INVALID_REQUEST");
    }

    @Test
    void listIsPagedAndFilteredByProduct() throws Exception {
        for (String v : new String[] {"1.0.0", "1.1.0", "1.2.0"}) {
            assertThat(api.post("/firmware", startBody("APILIST", v, 10, md5(new byte[10]), null))
                            .status())
                    .isEqualTo(201);
        }
        api.post("/firmware", startBody("APILIST2", "9.9.9", 10, md5(new byte[10]), null));

        JsonNode first = api.get("/firmware?productId=APILIST&limit=2").body();
        assertThat(first.path("items"))
                .extracting(i -> i.path("version").asText())
                .containsExactly("1.0.0", "1.1.0");
        String token = first.path("nextToken").asText();
        JsonNode second = api.get("/firmware?productId=APILIST&limit=2&nextToken=" + token)
                .body();
        assertThat(second.path("items"))
                .extracting(i -> i.path("version").asText())
                .containsExactly("1.2.0");
        assertThat(second.path("nextToken").isNull()).isTrue();

        ApiClient.Response otherProduct = api.get("/firmware?productId=APILIST2&nextToken=" + token);
        assertThat(otherProduct.status()).isEqualTo(400);
        assertThat(otherProduct.code()).isEqualTo("INVALID_REQUEST");
        assertThat(api.get("/firmware?nextToken=garbage!").code()).isEqualTo("INVALID_REQUEST");

        // Without a product: every product, paged through to the end.
        java.util.Set<String> seen = new java.util.HashSet<>();
        String next = null;
        do {
            JsonNode page = api.get("/firmware?limit=3" + (next == null ? "" : "&nextToken=" + next))
                    .body();
            page.path("items")
                    .forEach(i -> seen.add(i.path("productId").asText() + "/"
                            + i.path("version").asText()));
            next = page.path("nextToken").isNull()
                    ? null
                    : page.path("nextToken").asText();
        } while (next != null);
        assertThat(seen).contains("APILIST/1.0.0", "APILIST/1.1.0", "APILIST/1.2.0", "APILIST2/9.9.9");
    }

    @Test
    void describeEditAndDelete() throws Exception {
        byte[] bytes = SharedStack.firmwareBytes(5000, 17);
        uploadSmall("APIEDIT", "1.0.0", bytes, md5(bytes));

        ApiClient.Response edited =
                api.send("PATCH", "/firmware/APIEDIT/1.0.0", "{\"description\":\"fixes the reboot loop\"}");
        assertThat(edited.status()).isEqualTo(200);
        assertThat(edited.body().path("description").asText()).isEqualTo("fixes the reboot loop");
        assertThat(api.get("/firmware/APIEDIT/1.0.0").body().path("description").asText())
                .isEqualTo("fixes the reboot loop");

        ApiClient.Response deleted = api.send("DELETE", "/firmware/APIEDIT/1.0.0", null);
        assertThat(deleted.status()).isEqualTo(204);
        ApiClient.Response gone = api.get("/firmware/APIEDIT/1.0.0");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.code()).isEqualTo("NOT_FOUND");
        try (S3Client s3 = stack.aws().s3()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            s3.headObject(r -> r.bucket(LocalStack.BUCKET).key("firmware/APIEDIT/1.0.0/firmware.bin")))
                    .isInstanceOf(NoSuchKeyException.class);
        }
        assertThat(api.send("DELETE", "/firmware/APIEDIT/1.0.0", null).status()).isEqualTo(404);
    }

    @Test
    void deleteIsRefusedWhileALiveUpdateJobTargetsTheFirmware() throws Exception {
        byte[] target = SharedStack.firmwareBytes(4000, 18);
        byte[] other = SharedStack.firmwareBytes(4000, 19);
        uploadSmall("APIINUSE", "2.0.0", target, md5(target));
        uploadSmall("APIINUSE", "2.1.0", other, md5(other));
        JsonNode job = SharedStack.invoke(
                stack,
                "UpdateDevicesFunction",
                "{\"productId\":\"APIINUSE\",\"version\":\"2.0.0\",\"deviceNames\":[\"dev-1\",\"dev-2\"]}");
        assertThat(job.path("jobId").asText()).isNotBlank();

        ApiClient.Response refused = api.send("DELETE", "/firmware/APIINUSE/2.0.0", null);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("FIRMWARE_IN_USE");
        assertThat(refused.body().path("message").asText())
                .contains(job.path("jobId").asText());
        assertThat(api.get("/firmware/APIINUSE/2.0.0").body().path("status").asText())
                .isEqualTo("AVAILABLE");
        assertThat(api.send("DELETE", "/firmware/APIINUSE/2.1.0", null).status())
                .as("another version of the product")
                .isEqualTo(204);
    }

    @Test
    void directRegistrationStillWorks() throws Exception {
        byte[] bytes = SharedStack.firmwareBytes(1234, 20);
        String event = Files.readString(SharedStack.repo().resolve("events/register-firmware.json"))
                .replace("DEMOPRODUCT", "APIDIRECT");
        String key = SharedStack.JSON.readTree(event).path("s3Key").asText();
        try (S3Client s3 = stack.aws().s3()) {
            s3.putObject(r -> r.bucket(LocalStack.BUCKET).key(key), RequestBody.fromBytes(bytes));
        }
        JsonNode registered = SharedStack.invoke(stack, "FirmwareRegistrationFunction", event);
        assertThat(registered.path("outcome").asText()).isEqualTo("REGISTERED");
        assertThat(stack.awaitS3Notifications(10_000)).isTrue();

        JsonNode fw = api.get("/firmware/APIDIRECT/1.1.0").body();
        assertThat(fw.path("status").asText()).isEqualTo("AVAILABLE");
        assertThat(fw.path("md5sum").asText()).isEqualTo(md5(bytes));
    }

    @Test
    void deviceListFilesAreUploadedOutsideTheFirmwarePrefix() throws Exception {
        ApiClient.Response r = api.post("/device-lists", "{\"productId\":\"APILISTS\"}");
        assertThat(r.status()).isEqualTo(201);
        String key = r.body().path("s3Key").asText();
        assertThat(key).startsWith("device-lists/APILISTS/").endsWith(".txt");

        api.putPresigned(r.body().path("url").asText(), "dev-1\ndev-2\n".getBytes(StandardCharsets.UTF_8));

        try (S3Client s3 = stack.aws().s3()) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket(LocalStack.BUCKET).key(key))
                            .asUtf8String())
                    .isEqualTo("dev-1\ndev-2\n");
        }
        assertThat(stack.awaitS3Notifications(10_000)).isTrue();
        assertThat(stack.s3NotificationFailures()).noneMatch(f -> f.key().equals(key));
    }

    @Test
    void refusalsAreJsonWithStableCodes() throws Exception {
        ApiClient.Response malformed = api.post("/firmware", "{\"productId\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.code()).isEqualTo("MALFORMED_JSON");
        assertThat(ApiClient.fieldNames(malformed.body())).containsExactly("code", "message");

        ApiClient.Response wrongType =
                api.post("/firmware", "{\"productId\":\"P\",\"version\":\"1\",\"fileSize\":\"big\",\"md5sum\":\"x\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.body().path("message").asText()).isEqualTo("fileSize must be a whole number");

        ApiClient.Response unknownField = api.post("/firmware", "{\"product\":\"P\"}");
        assertThat(unknownField.code()).isEqualTo("INVALID_REQUEST");
        assertThat(unknownField.body().path("message").asText()).startsWith("unknown field 'product'");

        ApiClient.Response noRoute = api.get("/nothing");
        assertThat(noRoute.status())
                .as("API Gateway answers unknown routes itself")
                .isEqualTo(404);
        assertThat(noRoute.body().path("message").asText()).isEqualTo("Not Found");

        ApiClient.Response noEngine = api.get("/jobs/some-job");
        assertThat(noEngine.status()).isEqualTo(404);
        assertThat(noEngine.code()).isEqualTo("NOT_FOUND");

        ApiClient.Response badLimit = api.get("/firmware?limit=1000");
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.code()).isEqualTo("INVALID_REQUEST");
    }

    @Test
    void everyTemplateRouteIsServed() {
        assertThat(stack.httpApi().routes())
                .extracting(r -> r.routeKey())
                .containsExactlyInAnyOrderElementsOf(dev.ota.function.managementapi.Routes.ALL.stream()
                        .map(r -> r.routeKey())
                        .toList());
        assertThat(stack.httpApi().routes()).allMatch(r -> r.iamAuth());
    }
}
