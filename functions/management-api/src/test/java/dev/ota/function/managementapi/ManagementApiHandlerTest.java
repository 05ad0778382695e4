package dev.ota.function.managementapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.domain.CompletedPart;
import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.OperatorException;
import dev.ota.domain.OperatorException.Code;
import dev.ota.domain.Page;
import dev.ota.domain.job.JobActors;
import dev.ota.domain.job.JobStatus;
import dev.ota.domain.job.TargetType;
import dev.ota.domain.rollout.Stage;
import dev.ota.domain.rollout.Stage.FailureAction;
import dev.ota.port.in.FirmwareOperations;
import dev.ota.port.in.JobOperations;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManagementApiHandlerTest {

    private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
    private static final String MD5 = "5d41402abc4b2a76b9719d911017c592";

    /** Operations that record what they were called with and answer from {@link #next}. */
    static final class Fake {
        final List<String> calls = new ArrayList<>();
        final List<Object> args = new ArrayList<>();
        /** The IAM caller each create, pause, resume and cancel was given. */
        final List<String> actors = new ArrayList<>();

        Supplier<RuntimeException> failure;
        /** delete answers the job (rows left for the scheduler) instead of nothing (gone). */
        boolean deletionLeftRows;

        private void call(String name, Object... a) {
            calls.add(name);
            args.addAll(java.util.Arrays.asList(a));
            if (failure != null) {
                throw failure.get();
            }
        }

        static FirmwareOperations.FirmwareView fw(String p, String v) {
            return new FirmwareOperations.FirmwareView(
                    p,
                    v,
                    "AVAILABLE",
                    "firmware/" + p + "/" + v + "/firmware.bin",
                    5,
                    MD5,
                    "ab".repeat(32),
                    "d",
                    null,
                    T,
                    T);
        }

        static JobOperations.JobView job(String id) {
            return new JobOperations.JobView(
                    id,
                    "p1",
                    "2.0.0",
                    JobStatus.IN_PROGRESS,
                    false,
                    "",
                    3,
                    0,
                    1,
                    Map.of(ExecutionStatus.SUCCEEDED, 2L),
                    null,
                    T,
                    null,
                    null,
                    null);
        }

        static JobOperations.DeviceExecutionView exec(String job, String device) {
            return new JobOperations.DeviceExecutionView(
                    job, device, ExecutionStatus.DOWNLOADING, 40, 0, "", "1.0.0", "2.0.0", 1, T);
        }

        final FirmwareOperations firmware = new FirmwareOperations() {
            @Override
            public UploadTicket startUpload(StartUpload r) {
                call("startUpload", r);
                return new UploadTicket(
                        r.productId(),
                        r.version(),
                        "firmware/k",
                        "PUT",
                        "https://s3/x",
                        null,
                        r.fileSize(),
                        List.of(),
                        T);
            }

            @Override
            public FirmwareView completeUpload(String p, String v, String id, List<CompletedPart> parts) {
                call("completeUpload", p, v, id, parts);
                return fw(p, v);
            }

            @Override
            public Page<FirmwareView> list(String p, String token, int limit) {
                call("listFirmware", p, token, limit);
                return new Page<>(List.of(fw("p1", "1.0.0")), "tok");
            }

            @Override
            public FirmwareView describe(String p, String v) {
                call("describeFirmware", p, v);
                return fw(p, v);
            }

            @Override
            public FirmwareView editDescription(String p, String v, String d) {
                call("editDescription", p, v, d);
                return fw(p, v);
            }

            @Override
            public void delete(String p, String v) {
                call("delete", p, v);
            }
        };

        final JobOperations jobs = new JobOperations() {
            @Override
            public JobView create(CreateJob r, String clientToken, String actor) {
                actors.add(actor);
                call("createJob", r, clientToken);
                return job("job-1");
            }

            @Override
            public JobView update(String id, UpdateJob r) {
                call("updateJob", id, r);
                return job(id);
            }

            @Override
            public java.util.Optional<JobView> delete(String id) {
                call("deleteJob", id);
                return deletionLeftRows ? java.util.Optional.of(job(id)) : java.util.Optional.empty();
            }

            @Override
            public Page<DeviceExecutionView> deviceHistory(String p, String d, String token, int limit) {
                call("deviceHistory", p, d, token, limit);
                return new Page<>(List.of(exec("job-2", d), exec("job-1", d)), "more");
            }

            @Override
            public JobView describe(String id) {
                call("describeJob", id);
                return job(id);
            }

            @Override
            public Page<JobView> list(String p, String token, int limit) {
                call("listJobs", p, token, limit);
                return new Page<>(List.of(job("job-1")), null);
            }

            @Override
            public JobView pause(String id, String actor) {
                actors.add(actor);
                call("pause", id);
                return job(id);
            }

            @Override
            public JobView resume(String id, String actor) {
                actors.add(actor);
                call("resume", id);
                return job(id);
            }

            @Override
            public JobView cancel(String id, String actor) {
                actors.add(actor);
                call("cancel", id);
                return job(id);
            }

            @Override
            public DeviceExecutionView cancelDevice(String id, String d) {
                call("cancelDevice", id, d);
                return exec(id, d);
            }

            @Override
            public DeviceExecutionView retryDevice(String id, String d) {
                call("retryDevice", id, d);
                return exec(id, d);
            }

            @Override
            public JobStatistics statistics(String id) {
                call("statistics", id);
                return new JobStatistics(
                        id, 3, Map.of(ExecutionStatus.SUCCEEDED, 2L, ExecutionStatus.FAILED, 1L), 2, 1, 0, 0, 1);
            }

            @Override
            public JobHealth health(String id) {
                call("health", id);
                return new JobHealth(
                        id,
                        JobStatus.IN_PROGRESS,
                        "",
                        1,
                        List.of(new StageHealth(
                                1,
                                10,
                                StagePhase.CURRENT,
                                Map.of(ExecutionStatus.SUCCEEDED, 4L, ExecutionStatus.FAILED, 2L),
                                8,
                                4,
                                2,
                                1,
                                1,
                                50.0,
                                3 * 100.0 / 7,
                                80,
                                25,
                                5,
                                "PAUSE",
                                "stage 1 of 1: 3 of 7 finished devices failed, at or above 25%")),
                        2,
                        1,
                        Map.of(-4, 1L, -3, 1L),
                        2,
                        true,
                        0,
                        new JobActors("arn:aws:iam::123456789012:user/alice", null, null, null));
            }

            @Override
            public FleetVersions versions(String productId) {
                call("versions", productId);
                Map<String, Long> byVersion = new java.util.LinkedHashMap<>();
                byVersion.put("1.0.0", 3L);
                byVersion.put("2.0.0", 1L);
                return new FleetVersions(productId, byVersion, 4);
            }

            @Override
            public JobOperations.TargetCount countTargets(JobOperations.CreateJob request) {
                call("countTargets", request.productId());
                return new JobOperations.TargetCount(42L, 1, 2, true, null);
            }

            @Override
            public Recount recount(String id, boolean repair) {
                call("recount", id, repair);
                return new Recount(
                        id,
                        Map.of(ExecutionStatus.SUCCEEDED, 2L),
                        Map.of(ExecutionStatus.SUCCEEDED, 3L),
                        List.of("SUCCEEDED: counters 3, rows 2"),
                        repair);
            }

            @Override
            public Page<DeviceExecutionView> devices(String id, ExecutionStatus s, String token, int limit) {
                call("devices", id, s, token, limit);
                return new Page<>(List.of(exec(id, "d1")), null);
            }

            @Override
            public DeviceView device(String p, String d) {
                call("device", p, d);
                return new DeviceView(p, d, "1.0.0", T, exec("job-1", d));
            }
        };
    }

    private final Fake fake = new Fake();
    private final ManagementApiHandler handler =
            new ManagementApiHandler(new ManagementApiWiring(fake.firmware, fake.jobs, null));

    record Result(int status, JsonNode body, JsonNode headers) {
        String code() {
            return body.path("code").asText();
        }
    }

    private Result call(byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        JsonNode response = Events.JSON.readTree(out.toByteArray());
        String body = response.path("body").asText(null);
        return new Result(
                response.path("statusCode").asInt(),
                body == null ? null : Events.JSON.readTree(body),
                response.path("headers"));
    }

    private Result call(String method, String path, String body) throws Exception {
        return call(Events.event(method, path, body));
    }

    private static final String UPLOAD =
            "{\"productId\":\"p1\",\"version\":\"1.0.0\",\"fileSize\":5,\"md5sum\":\"" + MD5 + "\"}";
    private static final String JOB =
            "{\"productId\":\"p1\",\"targetVersion\":\"2.0.0\",\"targets\":{\"type\":\"PRODUCT\"}}";

    /** One valid request per route, and the operation it must reach. */
    static Stream<Arguments> everyRoute() {
        return Stream.of(
                Arguments.of(Routes.START_FIRMWARE_UPLOAD, "POST", "/firmware", UPLOAD, 201, "startUpload"),
                Arguments.of(Routes.LIST_FIRMWARE, "GET", "/firmware?productId=p1&limit=10", null, 200, "listFirmware"),
                Arguments.of(Routes.DESCRIBE_FIRMWARE, "GET", "/firmware/p1/1.0.0", null, 200, "describeFirmware"),
                Arguments.of(
                        Routes.EDIT_FIRMWARE,
                        "PATCH",
                        "/firmware/p1/1.0.0",
                        "{\"description\":\"x\"}",
                        200,
                        "editDescription"),
                Arguments.of(Routes.DELETE_FIRMWARE, "DELETE", "/firmware/p1/1.0.0", null, 204, "delete"),
                Arguments.of(
                        Routes.COMPLETE_FIRMWARE_UPLOAD,
                        "POST",
                        "/firmware/p1/1.0.0/complete",
                        "{\"uploadId\":\"u1\",\"parts\":[{\"partNumber\":1,\"etag\":\"\\\"e1\\\"\"}]}",
                        200,
                        "completeUpload"),
                Arguments.of(
                        Routes.START_DEVICE_LIST_UPLOAD, "POST", "/device-lists", "{\"productId\":\"p1\"}", 404, null),
                Arguments.of(Routes.CREATE_JOB, "POST", "/jobs", JOB, 201, "createJob"),
                Arguments.of(Routes.COUNT_JOB_TARGETS, "POST", "/jobs/dry-run", JOB, 200, "countTargets"),
                Arguments.of(Routes.LIST_JOBS, "GET", "/jobs?productId=p1", null, 200, "listJobs"),
                Arguments.of(Routes.DESCRIBE_JOB, "GET", "/jobs/job-1", null, 200, "describeJob"),
                Arguments.of(
                        Routes.UPDATE_JOB,
                        "PATCH",
                        "/jobs/job-1",
                        "{\"rollout\":{\"ratePerMinute\":5}}",
                        200,
                        "updateJob"),
                Arguments.of(Routes.DELETE_JOB, "DELETE", "/jobs/job-1", null, 204, "deleteJob"),
                Arguments.of(Routes.PAUSE_JOB, "POST", "/jobs/job-1/pause", null, 200, "pause"),
                Arguments.of(Routes.RESUME_JOB, "POST", "/jobs/job-1/resume", "{}", 200, "resume"),
                Arguments.of(Routes.CANCEL_JOB, "POST", "/jobs/job-1/cancel", null, 200, "cancel"),
                Arguments.of(Routes.JOB_STATISTICS, "GET", "/jobs/job-1/statistics", null, 200, "statistics"),
                Arguments.of(Routes.JOB_HEALTH, "GET", "/jobs/job-1/health", null, 200, "health"),
                Arguments.of(Routes.PRODUCT_VERSIONS, "GET", "/products/p1/versions", null, 200, "versions"),
                Arguments.of(Routes.RECOUNT_JOB, "POST", "/jobs/job-1/recount", "{\"repair\":true}", 200, "recount"),
                Arguments.of(Routes.LIST_JOB_DEVICES, "GET", "/jobs/job-1/devices?status=failed", null, 200, "devices"),
                Arguments.of(
                        Routes.CANCEL_JOB_DEVICE, "POST", "/jobs/job-1/devices/d1/cancel", null, 200, "cancelDevice"),
                Arguments.of(Routes.RETRY_JOB_DEVICE, "POST", "/jobs/job-1/devices/d1/retry", null, 200, "retryDevice"),
                Arguments.of(Routes.DESCRIBE_DEVICE, "GET", "/devices/p1/d1", null, 200, "device"),
                Arguments.of(
                        Routes.LIST_DEVICE_EXECUTIONS,
                        "GET",
                        "/devices/p1/d1/executions?limit=5",
                        null,
                        200,
                        "deviceHistory"));
    }

    @Test
    void theRouteTableHasOneOperationPerRouteKey() {
        assertThat(Routes.ALL.stream().map(Route::routeKey)).doesNotHaveDuplicates();
        assertThat(Routes.ALL)
                .allSatisfy(route ->
                        assertThat(route.operation()).as(route.routeKey()).isNotNull());
        assertThat(Routes.ALL.stream().filter(route -> !route.query().isEmpty()))
                .containsExactlyInAnyOrder(
                        Routes.LIST_FIRMWARE, Routes.LIST_JOBS, Routes.LIST_JOB_DEVICES, Routes.LIST_DEVICE_EXECUTIONS)
                .allSatisfy(route -> assertThat(route.query()).contains("nextToken", "limit"));
    }

    @Test
    void everyRouteHasACase() {
        assertThat(everyRoute().map(a -> a.get()[0])).containsExactlyInAnyOrderElementsOf(Routes.ALL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyRoute")
    void everyRouteReachesItsOperation(
            Route route, String method, String path, String body, int status, String operation) throws Exception {
        Result r = call(method, path, body);

        assertThat(r.status()).as(r.body() == null ? "" : r.body().toString()).isEqualTo(status);
        if (operation != null) {
            assertThat(fake.calls).containsExactly(operation);
        }
        assertThat(r.headers().path("content-type").asText()).isEqualTo("application/json");
    }

    @Nested
    class Responses {

        @Test
        void firmwareViewsHaveEveryField() throws Exception {
            JsonNode fw = call("GET", "/firmware/p1/1.0.0", null).body();

            assertThat(fw.path("status").asText()).isEqualTo("AVAILABLE");
            assertThat(fw.path("md5sum").asText()).isEqualTo(MD5);
            assertThat(fw.path("createdAt").asText()).isEqualTo("2026-03-01T12:00:00Z");
            assertThat(fw.has("rejectionReason")).isTrue();
            assertThat(fw.path("rejectionReason").isNull()).isTrue();
        }

        @Test
        void pagesCarryTheirToken() throws Exception {
            JsonNode page = call("GET", "/firmware?productId=p1&nextToken=abc&limit=5", null)
                    .body();

            assertThat(page.path("items")).hasSize(1);
            assertThat(page.path("nextToken").asText()).isEqualTo("tok");
            assertThat(fake.args).containsExactly("p1", "abc", 5);
        }

        @Test
        void listWithoutProductListsEverything() throws Exception {
            call("GET", "/firmware", null);
            assertThat(fake.args).containsExactly(null, null, Endpoints.DEFAULT_LIMIT);
        }

        @Test
        void recountChecksUnlessRepairIsAskedAndRefusesOtherFields() throws Exception {
            JsonNode check = call("POST", "/jobs/job-1/recount", null).body();
            assertThat(fake.args).containsExactly("job-1", false);
            assertThat(check.path("consistent").asBoolean()).isFalse();
            assertThat(check.path("differences").get(0).asText()).isEqualTo("SUCCEEDED: counters 3, rows 2");
            assertThat(check.path("rows").size()).isEqualTo(ExecutionStatus.values().length);
            assertThat(check.path("repaired").asBoolean()).isFalse();

            assertThat(call("POST", "/jobs/job-1/recount", "{\"repair\":true}")
                            .body()
                            .path("repaired")
                            .asBoolean())
                    .isTrue();
            assertThat(call("POST", "/jobs/job-1/recount", "{\"repair\":\"yes\"}")
                            .status())
                    .isEqualTo(400);
            assertThat(call("POST", "/jobs/job-1/recount", "{\"fix\":true}").status())
                    .isEqualTo(400);
        }

        @Test
        void countsListEveryStatus() throws Exception {
            JsonNode stats = call("GET", "/jobs/job-1/statistics", null).body();

            assertThat(stats.path("counts").size()).isEqualTo(ExecutionStatus.values().length);
            assertThat(stats.path("counts").path("SUCCEEDED").asLong()).isEqualTo(2);
            assertThat(stats.path("counts").path("QUEUED").asLong()).isZero();
            assertThat(stats.path("retries").asLong()).isEqualTo(1);
        }

        @Test
        void jobsSayWhetherTheyEndedAndHowManyDevicesFinished() throws Exception {
            JsonNode job = call("GET", "/jobs/job-1", null).body();
            assertThat(job.path("ended").asBoolean()).isFalse();
            assertThat(job.path("stopped").asBoolean()).isFalse();
            assertThat(job.path("finished").asLong()).isEqualTo(2);
            assertThat(call("GET", "/jobs/job-1/statistics", null)
                            .body()
                            .path("finished")
                            .asLong())
                    .as("succeeded and failed")
                    .isEqualTo(3);

            JsonViews views = new JsonViews(dev.ota.protocol.ProtocolJson.newMapper());
            for (JobStatus state : JobStatus.values()) {
                JsonNode view = views.job(new JobOperations.JobView(
                        "j",
                        "p1",
                        "2.0.0",
                        state,
                        false,
                        "",
                        4,
                        0,
                        1,
                        Map.of(ExecutionStatus.SKIPPED, 1L, ExecutionStatus.CANCELED, 1L, ExecutionStatus.QUEUED, 2L),
                        null,
                        T,
                        null,
                        null,
                        null));
                assertThat(view.path("ended").asBoolean()).as(state.name()).isEqualTo(state.ended());
                assertThat(view.path("stopped").asBoolean())
                        .as(state.name())
                        .isEqualTo(state == JobStatus.CANCELED || state == JobStatus.ABORTED);
                assertThat(view.path("finished").asLong())
                        .as("skipped and canceled ended too")
                        .isEqualTo(2);
            }
        }

        @Test
        void deleteAnswersWithNoBody() throws Exception {
            Result r = call("DELETE", "/firmware/p1/1.0.0", null);
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.body()).isNull();
        }

        @Test
        void pathSegmentsArePercentDecodedOneByOne() throws Exception {
            call("GET", "/firmware/p1/1.0.0%2Bbuild.7", null);
            call("GET", "/firmware/p1/1.0.0+build.8", null);
            assertThat(fake.args).containsExactly("p1", "1.0.0+build.7", "p1", "1.0.0+build.8");
        }

        @Test
        void anEncodedSlashDoesNotSplitASegment() throws Exception {
            Result r = call("GET", "/firmware/p1/a%2Fb", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(fake.args).containsExactly("p1", "a/b");
        }

        @Test
        void namedStagePrefixIsIgnored() throws Exception {
            String event = new String(Events.event("GET", "/prod/jobs/job-9", null), StandardCharsets.UTF_8)
                    .replace("\"stage\":\"$default\"", "\"stage\":\"prod\"");
            assertThat(call(event.getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
            assertThat(fake.args).containsExactly("job-9");
        }

        @Test
        void base64BodiesAreDecoded() throws Exception {
            String event = new String(Events.event("PATCH", "/firmware/p1/1.0.0", "X"), StandardCharsets.UTF_8)
                    .replace(
                            "\"body\":\"X\"",
                            "\"body\":\""
                                    + java.util.Base64.getEncoder()
                                            .encodeToString("{\"description\":\"b64\"}".getBytes())
                                    + "\"")
                    .replace("\"isBase64Encoded\":false", "\"isBase64Encoded\":true");
            assertThat(call(event.getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
            assertThat(fake.args).contains("b64");
        }
    }

    @Nested
    class Requests {

        @Test
        void theIamCallerIsPassedToCreatePauseResumeAndCancel() throws Exception {
            call("POST", "/jobs", JOB);
            call("POST", "/jobs/job-1/pause", null);
            call("POST", "/jobs/job-1/resume", null);
            call("POST", "/jobs/job-1/cancel", null);
            assertThat(fake.actors).containsExactly(Events.CALLER, Events.CALLER, Events.CALLER, Events.CALLER);
        }

        @Test
        void withoutAUserArnTheCallerIdIsTheActor() throws Exception {
            String event = new String(Events.event("POST", "/jobs/job-1/pause", null), StandardCharsets.UTF_8)
                    .replace("\"userArn\":\"" + Events.CALLER + "\",", "");
            assertThat(call(event.getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
            assertThat(fake.actors).containsExactly("AIDACKCEVSQ6C2EXAMPLE");
        }

        @Test
        void anEventWithoutAnAuthorizerNamesNoActor() throws Exception {
            com.fasterxml.jackson.databind.node.ObjectNode event = (com.fasterxml.jackson.databind.node.ObjectNode)
                    Events.JSON.readTree(Events.event("POST", "/jobs/job-1/cancel", null));
            ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("requestContext")).remove("authorizer");
            assertThat(call(Events.JSON.writeValueAsBytes(event)).status()).isEqualTo(200);
            assertThat(fake.actors).containsOnlyNulls().hasSize(1);
        }

        @Test
        void theJobViewNamesItsActors() throws Exception {
            JsonNode job = call("GET", "/jobs/job-1/health", null).body();
            assertThat(job.path("createdBy").asText()).isEqualTo("arn:aws:iam::123456789012:user/alice");
            assertThat(job.path("canceledBy").isNull()).isTrue();
        }

        @Test
        void healthShowsStagesAndFailuresByCode() throws Exception {
            Result r = call("GET", "/jobs/job-1/health", null);
            assertThat(r.status()).isEqualTo(200);
            JsonNode stage = r.body().path("stages").get(0);
            assertThat(stage.path("stage").asInt()).isEqualTo(1);
            assertThat(stage.path("phase").asText()).isEqualTo("CURRENT");
            assertThat(stage.path("verdict").asText()).isEqualTo("PAUSE");
            assertThat(stage.path("counts").path("FAILED").asLong()).isEqualTo(2);
            assertThat(stage.path("counts").path("QUEUED").asLong()).isZero();
            assertThat(stage.path("failurePercent").asDouble()).isEqualTo(42.86);
            JsonNode codes = r.body().path("failuresByCode");
            assertThat(codes.path("-1").asLong()).isZero();
            assertThat(codes.path("-3").asLong()).isEqualTo(1);
            assertThat(codes.path("-4").asLong()).isEqualTo(1);
            assertThat(codes.path("-5").asLong()).isZero();
            assertThat(codes.path("timeout").asLong()).isEqualTo(1);
            assertThat(r.body().path("failuresComplete").asBoolean()).isTrue();
        }

        @Test
        void versionsListDevicesPerVersionWithTheirShare() throws Exception {
            Result r = call("GET", "/products/p1/versions", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(fake.args).containsExactly("p1");
            assertThat(r.body().path("devices").asLong()).isEqualTo(4);
            assertThat(r.body().path("versions").get(0).path("version").asText())
                    .isEqualTo("1.0.0");
            assertThat(r.body().path("versions").get(0).path("percent").asDouble())
                    .isEqualTo(75.0);
        }

        @Test
        void uploadRequestIsReadIntoStartUpload() throws Exception {
            call(
                    "POST",
                    "/firmware",
                    "{\"productId\":\"p1\",\"version\":\"1.0.0\",\"fileSize\":1073741824,\"md5sum\":\"" + MD5
                            + "\",\"fileName\":\"fw.bin\",\"description\":\"hello\"}");
            assertThat(fake.args)
                    .containsExactly(
                            new FirmwareOperations.StartUpload("p1", "1.0.0", "fw.bin", 1073741824L, MD5, "hello"));
        }

        @Test
        void fullJobRequestIsReadIntoCreateJob() throws Exception {
            String body = """
                    {"productId":"p1","targetVersion":"2.0.0",
                     "targets":{"type":"SOURCE_VERSIONS","sourceVersions":["1.0.0","1.1.0"]},
                     "dynamic":true,
                     "rollout":{"ratePerMinute":5000,"rampBaseRatePerMinute":10,"rampFactor":2.5,"rampEveryDevices":100},
                     "stages":[{"percent":5,"successThresholdPercent":95,"failureThresholdPercent":10,"minDevicesForFailure":20,"onFailure":"abort"},
                               {"successThresholdPercent":100,"failureThresholdPercent":20}],
                     "startAt":"2026-04-01T00:00:00Z","endAt":"2026-04-02T00:00:00Z",
                     "inProgressTimeoutSeconds":600,
                     "retry":{"maxAttempts":3,"retryableCodes":[-1,-3,-4],"intervalSeconds":60},
                     "description":"spring rollout"}
                    """;
            Result r = call("POST", "/jobs", body);

            assertThat(r.status()).isEqualTo(201);
            JobOperations.CreateJob job = (JobOperations.CreateJob) fake.args.get(0);
            assertThat(job.targets())
                    .isEqualTo(new JobOperations.Targets(
                            TargetType.SOURCE_VERSIONS, List.of("1.0.0", "1.1.0"), List.of(), null));
            assertThat(job.dynamic()).isTrue();
            assertThat(job.rollout()).isEqualTo(new JobOperations.Rollout(5000, 10, 2.5, 100));
            assertThat(job.stages())
                    .containsExactly(
                            new Stage(null, 5, 95, 10, 20, FailureAction.ABORT),
                            new Stage(null, null, 100, 20, 1, FailureAction.PAUSE));
            assertThat(job.startAt()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
            assertThat(job.inProgressTimeout()).isEqualTo(Duration.ofMinutes(10));
            assertThat(job.retry()).isEqualTo(new JobOperations.Retry(3, List.of(-1, -3, -4), Duration.ofMinutes(1)));
            assertThat(job.description()).isEqualTo("spring rollout");
            assertThat(r.body().path("counts").path("SUCCEEDED").asLong()).isEqualTo(2);
        }

        @Test
        void devicesFilterByStatus() throws Exception {
            call("GET", "/jobs/j/devices?status=timed_out&limit=100", null);
            assertThat(fake.args).containsExactly("j", ExecutionStatus.TIMED_OUT, null, 100);
        }

        @Test
        void completeReadsEveryPart() throws Exception {
            call(
                    "POST",
                    "/firmware/p1/1.0.0/complete",
                    "{\"uploadId\":\"u\",\"parts\":[{\"partNumber\":1,\"etag\":\"a\"},{\"partNumber\":2,\"etag\":\"b\"}]}");
            assertThat(fake.args.get(3)).isEqualTo(List.of(new CompletedPart(1, "a"), new CompletedPart(2, "b")));
        }
    }

    @Nested
    class Refusals {

        private void assertRefused(Result r, int status, String code, String messagePart) {
            assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(status);
            assertThat(r.code()).isEqualTo(code);
            assertThat(r.body().path("message").asText()).contains(messagePart);
            assertThat(r.body().size()).as("only code and message").isEqualTo(2);
            assertThat(fake.calls).isEmpty();
        }

        @Test
        void unknownRoute() throws Exception {
            assertRefused(call("GET", "/nothing/here", null), 404, "ROUTE_NOT_FOUND", "no route GET /nothing/here");
            assertRefused(call("GET", "/firmware/p1", null), 404, "ROUTE_NOT_FOUND", "no route");
            assertRefused(call("GET", "/firmware/p1//x", null), 404, "ROUTE_NOT_FOUND", "no route");
        }

        @Test
        void wrongMethodNamesTheAllowedOnes() throws Exception {
            Result r = call("PUT", "/firmware/p1/1.0.0", "{}");
            assertRefused(r, 405, "METHOD_NOT_ALLOWED", "allowed: GET, PATCH, DELETE");
            assertThat(r.headers().path("allow").asText()).isEqualTo("GET, PATCH, DELETE");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{",
                    "{\"productId\":",
                    "{\"a\":1}}",
                    "{\"productId\":\"p1\",\"productId\":\"p2\"}",
                    "nul",
                    "\"unterminated"
                })
        void malformedJson(String body) throws Exception {
            assertRefused(call("POST", "/firmware", body), 400, "MALFORMED_JSON", "not valid JSON");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "\"text\"", "42", "null", "true"})
        void bodyMustBeAnObject(String body) throws Exception {
            assertRefused(call("POST", "/jobs", body), 400, "INVALID_REQUEST", "the body must be a JSON object");
        }

        @Test
        void missingBody() throws Exception {
            assertRefused(call("POST", "/firmware", null), 400, "INVALID_REQUEST", "the body is missing");
            assertRefused(call("POST", "/firmware", ""), 400, "INVALID_REQUEST", "the body is missing");
        }

        @Test
        void wrongTypes() throws Exception {
            assertRefused(
                    call("POST", "/firmware", UPLOAD.replace("\"fileSize\":5", "\"fileSize\":\"5\"")),
                    400,
                    "INVALID_REQUEST",
                    "fileSize must be a whole number");
            assertRefused(
                    call("POST", "/firmware", UPLOAD.replace("\"fileSize\":5", "\"fileSize\":5.5")),
                    400,
                    "INVALID_REQUEST",
                    "fileSize must be a whole number");
            assertRefused(
                    call("POST", "/firmware", UPLOAD.replace("\"fileSize\":5", "\"fileSize\":1e400")),
                    400,
                    "INVALID_REQUEST",
                    "fileSize must be a whole number");
            assertRefused(
                    call("POST", "/firmware", UPLOAD.replace("\"fileSize\":5", "\"fileSize\":99999999999999999999999")),
                    400,
                    "INVALID_REQUEST",
                    "fileSize must be a whole number");
            assertRefused(
                    call("POST", "/firmware", UPLOAD.replace("\"version\":\"1.0.0\"", "\"version\":100")),
                    400,
                    "INVALID_REQUEST",
                    "version must be a string");
            assertRefused(
                    call("PATCH", "/firmware/p1/1", "{\"description\":[\"x\"]}"),
                    400,
                    "INVALID_REQUEST",
                    "description must be a string");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("}}", "},\"dynamic\":\"yes\"}")),
                    400,
                    "INVALID_REQUEST",
                    "dynamic must be true or false");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("}}", "},\"startAt\":\"tomorrow\"}")),
                    400,
                    "INVALID_REQUEST",
                    "startAt must be an ISO-8601");
        }

        @Test
        void missingFields() throws Exception {
            assertRefused(
                    call("POST", "/firmware", "{\"productId\":\"p1\",\"version\":\"1\",\"fileSize\":5}"),
                    400,
                    "INVALID_REQUEST",
                    "md5sum is missing");
            assertRefused(
                    call("POST", "/firmware", UPLOAD.replace("\"productId\":\"p1\"", "\"productId\":null")),
                    400,
                    "INVALID_REQUEST",
                    "productId is missing");
            assertRefused(call("PATCH", "/firmware/p1/1", "{}"), 400, "INVALID_REQUEST", "description is missing");
            assertRefused(
                    call("POST", "/jobs", "{\"productId\":\"p1\",\"targetVersion\":\"2\"}"),
                    400,
                    "INVALID_REQUEST",
                    "targets is missing");
        }

        @Test
        void unknownFields() throws Exception {
            assertRefused(
                    call("POST", "/firmware", UPLOAD.replace("}", ",\"md5\":\"x\"}")),
                    400,
                    "INVALID_REQUEST",
                    "unknown field 'md5'");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("\"PRODUCT\"", "\"PRODUCT\",\"devices\":[]")),
                    400,
                    "INVALID_REQUEST",
                    "unknown field 'targets.devices'");
            assertRefused(
                    call("POST", "/jobs/j/pause", "{\"force\":true}"), 400, "INVALID_REQUEST", "unknown field 'force'");
            assertRefused(
                    call(
                            "POST",
                            "/firmware/p1/1/complete",
                            "{\"uploadId\":\"u\",\"parts\":[{\"partNumber\":1,\"etag\":\"e\",\"size\":1}]}"),
                    400,
                    "INVALID_REQUEST",
                    "unknown field 'parts[0].size'");
        }

        @Test
        void jobShapeIsChecked() throws Exception {
            assertRefused(
                    call("POST", "/jobs", JOB.replace("PRODUCT", "EVERYTHING")),
                    400,
                    "INVALID_REQUEST",
                    "targets.type must be one of");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("\"PRODUCT\"", "\"DEVICE_LIST\"")),
                    400,
                    "INVALID_REQUEST",
                    "targets.deviceNames must list at least one device");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("\"PRODUCT\"", "\"PRODUCT\",\"deviceNames\":[\"d\"]")),
                    400,
                    "INVALID_REQUEST",
                    "targets.deviceNames does not go with type PRODUCT");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("\"PRODUCT\"", "\"DEVICE_LIST\",\"deviceNames\":[1]")),
                    400,
                    "INVALID_REQUEST",
                    "targets.deviceNames[0] must be a string");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("}}", "},\"rollout\":{\"ratePerMinute\":0}}")),
                    400,
                    "INVALID_REQUEST",
                    "rollout.ratePerMinute must be 1..100000");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("}}", "},\"rollout\":{\"ratePerMinute\":10,\"rampFactor\":2}}")),
                    400,
                    "INVALID_REQUEST",
                    "needs all of");
            assertRefused(
                    call(
                            "POST",
                            "/jobs",
                            JOB.replace(
                                    "}}",
                                    "},\"stages\":[{\"deviceCount\":1,\"percent\":5,\"successThresholdPercent\":1,\"failureThresholdPercent\":1}]}")),
                    400,
                    "INVALID_REQUEST",
                    "not both");
            assertRefused(
                    call(
                            "POST",
                            "/jobs",
                            JOB.replace(
                                    "}}",
                                    "},\"stages\":[{\"successThresholdPercent\":101,\"failureThresholdPercent\":1}]}")),
                    400,
                    "INVALID_REQUEST",
                    "stages[0].successThresholdPercent must be 0..100");
            assertRefused(
                    call(
                            "POST",
                            "/jobs",
                            JOB.replace("}}", "},\"retry\":{\"maxAttempts\":3,\"retryableCodes\":[-9]}}")),
                    400,
                    "INVALID_REQUEST",
                    "retry.retryableCodes[0] must be a whole number -5..-1");
            assertRefused(
                    call(
                            "POST",
                            "/jobs",
                            JOB.replace(
                                    "}}",
                                    "},\"startAt\":\"2026-04-02T00:00:00Z\",\"endAt\":\"2026-04-01T00:00:00Z\"}")),
                    400,
                    "INVALID_REQUEST",
                    "endAt must be after startAt");
            assertRefused(
                    call("POST", "/jobs", JOB.replace("}}", "},\"inProgressTimeoutSeconds\":0}")),
                    400,
                    "INVALID_REQUEST",
                    "inProgressTimeoutSeconds must be 60..604800");
        }

        @Test
        void oversizedBody() throws Exception {
            String big = "{\"description\":\"" + "x".repeat(ApiRequest.MAX_BODY_BYTES) + "\"}";
            assertRefused(call("PATCH", "/firmware/p1/1", big), 413, "PAYLOAD_TOO_LARGE", "at most 2097152");
        }

        @Test
        void otherMediaTypes() throws Exception {
            assertRefused(
                    call(Events.event("POST", "/firmware", UPLOAD, "text/plain")),
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "text/plain");
            assertThat(call(Events.event("POST", "/firmware", UPLOAD, "application/json; charset=utf-8"))
                            .status())
                    .isEqualTo(201);
        }

        @Test
        void queryParametersAreStrict() throws Exception {
            assertRefused(
                    call("GET", "/firmware?product=p1", null),
                    400,
                    "INVALID_REQUEST",
                    "unknown query parameter 'product'");
            assertRefused(
                    call("GET", "/firmware?limit=0", null),
                    400,
                    "INVALID_REQUEST",
                    "limit must be a whole number 1..100");
            assertRefused(call("GET", "/firmware?limit=abc", null), 400, "INVALID_REQUEST", "limit must be");
            assertRefused(call("GET", "/firmware?limit=1&limit=2", null), 400, "INVALID_REQUEST", "more than once");
            assertRefused(
                    call("GET", "/jobs/j?verbose=1", null),
                    400,
                    "INVALID_REQUEST",
                    "unknown query parameter 'verbose'");
            assertRefused(
                    call("GET", "/jobs/j/devices?status=LOST", null), 400, "INVALID_REQUEST", "status must be one of");
            assertRefused(call("GET", "/firmware?productId=%zz", null), 400, "INVALID_REQUEST", "percent-encoding");
        }

        @Test
        void getsTakeNoBody() throws Exception {
            assertRefused(call("GET", "/jobs/j", "{}"), 400, "INVALID_REQUEST", "takes no body");
        }

        @Test
        void eventsThatAreNotHttpApiEvents() throws Exception {
            assertThat(call("not json".getBytes(StandardCharsets.UTF_8)).status())
                    .isEqualTo(400);
            assertThat(call("{\"Records\":[]}".getBytes(StandardCharsets.UTF_8)).code())
                    .isEqualTo("INVALID_REQUEST");
        }
    }

    @Nested
    class OperationErrors {

        static Stream<Arguments> codes() {
            return Stream.of(
                    Arguments.of(Code.INVALID_REQUEST, 400),
                    Arguments.of(Code.NOT_FOUND, 404),
                    Arguments.of(Code.CONFLICT, 409),
                    Arguments.of(Code.FIRMWARE_NOT_AVAILABLE, 409),
                    Arguments.of(Code.VERSION_TAKEN, 409),
                    Arguments.of(Code.FIRMWARE_IN_USE, 409),
                    Arguments.of(Code.JOB_NOT_ACTIVE, 409),
                    Arguments.of(Code.MD5_MISMATCH, 422));
        }

        @ParameterizedTest
        @MethodSource("codes")
        void operatorCodesKeepTheirNameAndStatus(Code code, int status) throws Exception {
            fake.failure = () -> new OperatorException(code, "because");
            Result r = call("DELETE", "/firmware/p1/1.0.0", null);
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.code()).isEqualTo(code.name());
            assertThat(r.body().path("message").asText()).isEqualTo("because");
        }

        @Test
        void validationInsideAnOperationIsStillA400() throws Exception {
            fake.failure = () -> new IllegalArgumentException("maxAttempts must be 1..10");
            Result r = call("POST", "/jobs", JOB);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("INVALID_REQUEST");
        }

        @Test
        void aBugIsA500WithAStableCodeAndNoDetails() throws Exception {
            fake.failure = () -> new NullPointerException("secret internals");
            Result r = call("GET", "/jobs/j", null);
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.code()).isEqualTo("INTERNAL_ERROR");
            assertThat(r.body().path("message").asText())
                    .doesNotContain("secret")
                    .contains("req-1");
        }

        @Test
        void throttlingIsA503() throws Exception {
            fake.failure = () ->
                    software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException.builder()
                            .statusCode(400)
                            .message("slow down")
                            .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                                    .errorCode("ThrottlingException")
                                    .serviceName("DynamoDb")
                                    .build())
                            .build();
            Result r = call("GET", "/jobs/j", null);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.code()).isEqualTo("SERVICE_UNAVAILABLE");
        }
    }

    /** Garbage in any body field never reaches an operation and never gets a 5xx. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"productId\":{}}",
                "{\"productId\":[]}",
                "{\"targets\":\"PRODUCT\"}",
                "{\"parts\":{}}",
                "{\"uploadId\":1}",
                "{\"description\":null}",
                "{\"stages\":[null]}",
                "{\"rollout\":[]}",
                "{\"retry\":1}",
                "{\"\":1}"
            })
    void garbageNeverGetsA5xx(String body) throws Exception {
        for (Route route : Routes.ALL) {
            if (!route.method().equals("POST") && !route.method().equals("PATCH")) {
                continue;
            }
            boolean takesNoFields = route.path().endsWith("/pause")
                    || route.path().endsWith("/resume")
                    || route.path().endsWith("/cancel")
                    || route.path().endsWith("/retry")
                    || route.path().endsWith("/recount"); // every field is optional
            if (takesNoFields && body.equals("{}")) {
                continue; // an empty object is exactly what these take
            }
            String path = route.path()
                    .replace("{productId}", "p1")
                    .replace("{version}", "1.0.0")
                    .replace("{jobId}", "j")
                    .replace("{deviceName}", "d");
            Result r = call(route.method(), path, body);
            assertThat(r.status())
                    .as(route.routeKey() + " " + body + " -> " + r.body())
                    .isBetween(400, 499);
        }
        assertThat(fake.calls).isEmpty();
    }

    @Nested
    class JobUpdateDeleteTokenHistory {

        @Test
        void anUpdateReadsEveryFieldItMayChange() throws Exception {
            Result r = call(
                    "PATCH",
                    "/jobs/job-1",
                    "{\"rollout\":{\"ratePerMinute\":50,\"rampBaseRatePerMinute\":5,\"rampFactor\":2,\"rampEveryDevices\":10},"
                            + "\"stages\":[{\"failureThresholdPercent\":20,\"onFailure\":\"abort\"},{}],"
                            + "\"inProgressTimeoutSeconds\":600,\"retry\":{\"maxAttempts\":3},\"description\":\"d\"}");

            assertThat(r.status()).isEqualTo(200);
            JobOperations.UpdateJob u = (JobOperations.UpdateJob) fake.args.get(1);
            assertThat(u.rollout()).isEqualTo(new JobOperations.Rollout(50, 5, 2.0, 10));
            assertThat(u.stages())
                    .containsExactly(
                            new JobOperations.StageUpdate(null, 20, null, FailureAction.ABORT),
                            new JobOperations.StageUpdate(null, null, null, null));
            assertThat(u.inProgressTimeout()).isEqualTo(Duration.ofMinutes(10));
            assertThat(u.retry().maxAttempts()).isEqualTo(3);
            assertThat(u.description()).isEqualTo("d");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{}",
                    "{\"targets\":{\"type\":\"PRODUCT\"}}",
                    "{\"stages\":[{\"percent\":10}]}",
                    "{\"inProgressTimeoutSeconds\":59}",
                    "{\"retry\":{\"maxAttempts\":12}}",
                    "{\"rollout\":{\"ratePerMinute\":0}}",
                    "{\"stages\":[{\"failureThresholdPercent\":101}]}"
                })
        void aBadUpdateIsA400ThatReachesNoOperation(String body) throws Exception {
            Result r = call("PATCH", "/jobs/job-1", body);

            assertThat(r.status()).isEqualTo(400);
            assertThat(r.code()).isEqualTo(ApiError.INVALID_REQUEST);
            assertThat(fake.calls).isEmpty();
        }

        @Test
        void aDeletionStillDeletingRowsAnswers202WithTheJob() throws Exception {
            fake.deletionLeftRows = true;
            Result r = call("DELETE", "/jobs/job-1", null);

            assertThat(r.status()).isEqualTo(202);
            assertThat(r.body().path("jobId").asText()).isEqualTo("job-1");
        }

        @Test
        void aDeleteOfAnUnfinishedJobIs409JobNotFinished() throws Exception {
            fake.failure = () -> new OperatorException(Code.JOB_NOT_FINISHED, "job job-1 is IN_PROGRESS");
            Result r = call("DELETE", "/jobs/job-1", null);

            assertThat(r.status()).isEqualTo(409);
            assertThat(r.code()).isEqualTo("JOB_NOT_FINISHED");
        }

        @Test
        void theClientTokenReachesTheOperationAndIsNotPartOfTheJob() throws Exception {
            Result r = call(
                    "POST", "/jobs", JOB.replace("{\"productId\"", "{\"clientToken\":\"abc-123_X\",\"productId\""));

            assertThat(r.status()).isEqualTo(201);
            assertThat(fake.args.get(1)).isEqualTo("abc-123_X");
            assertThat(((JobOperations.CreateJob) fake.args.get(0)).productId()).isEqualTo("p1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"\"", "\"has space\"", "\"a/b\"", "7"})
        void aMalformedClientTokenIsA400(String token) throws Exception {
            Result r = call(
                    "POST", "/jobs", JOB.replace("{\"productId\"", "{\"clientToken\":" + token + ",\"productId\""));

            assertThat(r.status()).isEqualTo(400);
            assertThat(fake.calls).isEmpty();
        }

        @Test
        void aClientTokenTooLongIsA400() throws Exception {
            String token = "t".repeat(dev.ota.domain.job.ClientToken.MAX_LENGTH + 1);
            Result r = call(
                    "POST", "/jobs", JOB.replace("{\"productId\"", "{\"clientToken\":\"" + token + "\",\"productId\""));

            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body().path("message").asText()).contains("clientToken");
        }

        @Test
        void aReusedTokenIs409WithItsCode() throws Exception {
            fake.failure =
                    () -> new OperatorException(Code.CLIENT_TOKEN_REUSED, "clientToken t was used for another request");
            Result r = call("POST", "/jobs", JOB.replace("{\"productId\"", "{\"clientToken\":\"t\",\"productId\""));

            assertThat(r.status()).isEqualTo(409);
            assertThat(r.code()).isEqualTo("CLIENT_TOKEN_REUSED");
        }

        @Test
        void aDevicesHistoryIsAPageOfExecutions() throws Exception {
            Result r = call("GET", "/devices/p1/d1/executions?nextToken=abc&limit=7", null);

            assertThat(r.status()).isEqualTo(200);
            assertThat(fake.args).containsExactly("p1", "d1", "abc", 7);
            assertThat(r.body().path("items")).hasSize(2);
            assertThat(r.body().path("items").get(0).path("jobId").asText()).isEqualTo("job-2");
            assertThat(r.body().path("nextToken").asText()).isEqualTo("more");
        }

        @Test
        void aHistoryTakesNoStatusFilter() throws Exception {
            Result r = call("GET", "/devices/p1/d1/executions?status=FAILED", null);

            assertThat(r.status()).isEqualTo(400);
            assertThat(fake.calls).isEmpty();
        }
    }
}
