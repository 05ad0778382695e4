package dev.ota.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ota.local.stack.LocalStack;
import dev.ota.local.standin.LocalAws;
import dev.ota.local.standin.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code ota} against a locally running API: the local stack serves template.yaml's HTTP API over
 * real HTTP, checks the CLI's SigV4 signatures, and runs the real management function, with
 * presigned uploads into s3proxy and registration by the emulated S3 notification.
 */
class CliIT {

    private static final long MIB = 1024 * 1024;
    private static LocalStack stack;
    private static Map<String, String> env;

    @TempDir
    Path dir;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(new LocalStack.Options(
                RepoRoot.find().resolve("template.yaml"),
                LocalAws.Ports.free(),
                2,
                Map.of("UploadMultipartThresholdMiB", "8", "UploadPartSizeMiB", "5")));
        env = Map.of("OTA_API_URL", stack.apiEndpoint().toString(), "AWS_REGION", "us-east-1");
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private static CliRun ota(String... args) {
        List<String> all = new ArrayList<>(List.of("--region", "us-east-1"));
        all.addAll(List.of(args));
        return CliRun.run(env, CliRun.LOCAL, all.toArray(String[]::new));
    }

    private Path file(String name, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    private static String md5(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file)));
    }

    @Test
    void uploadsA12MiBFileInPartsWithAProgressBarAndWaitsUntilAvailable() throws Exception {
        Path fw = file("fw-2.0.0.bin", (int) (12 * MIB), 1);

        CliRun run = ota(
                "firmware",
                "upload",
                fw.toString(),
                "--product",
                "CLIMULTI",
                "--version",
                "2.0.0",
                "--description",
                "twelve MiB");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("md5    [", "upload [##############################] 100%  12.0 MiB/12.0 MiB");
        assertThat(run.err().lines().filter(l -> l.startsWith("upload [")).count())
                .as("a line per tenth")
                .isEqualTo(11);
        assertThat(run.out())
                .contains("status:", "AVAILABLE", md5(fw), "firmware/CLIMULTI/2.0.0/fw-2.0.0.bin", "twelve MiB");
    }

    @Test
    void uploadWithJsonOutputForScripts() throws Exception {
        Path fw = file("small.bin", 300_000, 2);

        CliRun run = ota(
                "--output", "json", "firmware", "upload", fw.toString(), "--product", "CLIJSON", "--version", "1.0.0");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode firmware = run.json();
        assertThat(firmware.path("status").asText()).isEqualTo("AVAILABLE");
        assertThat(firmware.path("md5sum").asText()).isEqualTo(md5(fw));
        assertThat(firmware.path("fileSize").asLong()).isEqualTo(300_000);

        CliRun again = ota("firmware", "upload", fw.toString(), "--product", "CLIJSON", "--version", "1.0.0");
        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).contains("VERSION_TAKEN");
    }

    @Test
    void versionsWithAPlusSurviveSigningPathsKeysAndNotifications() throws Exception {
        Path fw = file("plus.bin", 3000, 7);

        CliRun upload = ota(
                "--output",
                "json",
                "--no-progress",
                "firmware",
                "upload",
                fw.toString(),
                "--product",
                "CLIPLUS",
                "--version",
                "1.0.0+build.5");

        assertThat(upload.exitCode()).as(upload.toString()).isZero();
        assertThat(upload.json().path("status").asText()).isEqualTo("AVAILABLE");
        assertThat(upload.json().path("s3Key").asText()).isEqualTo("firmware/CLIPLUS/1.0.0+build.5/plus.bin");
        CliRun describe =
                ota("--output", "json", "firmware", "describe", "--product", "CLIPLUS", "--version", "1.0.0+build.5");
        assertThat(describe.json().path("version").asText()).isEqualTo("1.0.0+build.5");
    }

    @Test
    void listDescribeEditDelete() throws Exception {
        Path a = file("a.bin", 1000, 3);
        Path b = file("b.bin", 2000, 4);
        assertThat(ota("--no-progress", "firmware", "upload", a.toString(), "--product", "CLICAT", "--version", "1.0.0")
                        .exitCode())
                .isZero();
        assertThat(ota("--no-progress", "firmware", "upload", b.toString(), "--product", "CLICAT", "--version", "1.1.0")
                        .exitCode())
                .isZero();

        CliRun list = ota("firmware", "list", "--product", "CLICAT");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("PRODUCT", "VERSION", "STATUS").contains("1.0.0", "1.1.0", "AVAILABLE");

        JsonNode page = ota("--output", "json", "firmware", "list", "--product", "CLICAT", "--limit", "1")
                .json();
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("nextToken").isTextual()).isTrue();
        JsonNode all = ota("--output", "json", "firmware", "list", "--product", "CLICAT", "--limit", "1", "--all")
                .json();
        assertThat(all.path("items"))
                .extracting(i -> i.path("version").asText())
                .containsExactly("1.0.0", "1.1.0");

        CliRun describe = ota("firmware", "describe", "--product", "CLICAT", "--version", "1.1.0");
        assertThat(describe.out()).contains(md5(b));

        CliRun edit = ota(
                "--output",
                "json",
                "firmware",
                "edit",
                "--product",
                "CLICAT",
                "--version",
                "1.1.0",
                "--description",
                "hotfix");
        assertThat(edit.json().path("description").asText()).isEqualTo("hotfix");

        assertThat(ota("firmware", "delete", "--product", "CLICAT", "--version", "1.0.0")
                        .exitCode())
                .isZero();
        CliRun gone = ota("firmware", "describe", "--product", "CLICAT", "--version", "1.0.0");
        assertThat(gone.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(gone.err()).contains("NOT_FOUND: no firmware 1.0.0 of product CLICAT");
    }

    @Test
    void deleteOfFirmwareInUseFailsWithItsCode() throws Exception {
        Path fw = file("inuse.bin", 5000, 5);
        assertThat(ota(
                                "--no-progress",
                                "firmware",
                                "upload",
                                fw.toString(),
                                "--product",
                                "CLIINUSE",
                                "--version",
                                "3.0.0")
                        .exitCode())
                .isZero();
        stack.invoke(
                "UpdateDevicesFunction",
                "{\"productId\":\"CLIINUSE\",\"version\":\"3.0.0\",\"deviceNames\":[\"d1\"]}"
                        .getBytes(StandardCharsets.UTF_8));

        CliRun run = ota("firmware", "delete", "--product", "CLIINUSE", "--version", "3.0.0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err()).contains("FIRMWARE_IN_USE");
    }

    @Test
    void jobHealthAndFleetVersions() throws Exception {
        Path fw = file("health.bin", 5000, 8);
        assertThat(ota(
                                "--no-progress",
                                "firmware",
                                "upload",
                                fw.toString(),
                                "--product",
                                "CLIHEALTH",
                                "--version",
                                "3.0.0")
                        .exitCode())
                .isZero();
        for (String[] device : new String[][] {{"d1", "1.0.0"}, {"d2", "1.0.0"}, {"d3", "2.0.0"}}) {
            stack.invoke(
                    "VersionReportFunction",
                    ("{\"type\":\"report_version\",\"report\":{\"version\":\"" + device[1]
                                    + "\"},\"productId\":\"CLIHEALTH\",\"deviceName\":\"" + device[0]
                                    + "\",\"clientId\":\""
                                    + dev.ota.domain.device.ThingName.of("CLIHEALTH", device[0])
                                            .value()
                                    + "\",\"receivedAt\":"
                                    + stack.clock().instant().toEpochMilli() + "}")
                            .getBytes(StandardCharsets.UTF_8));
        }

        CliRun versions = ota("fleet", "versions", "CLIHEALTH");
        assertThat(versions.exitCode()).as(versions.toString()).isZero();
        assertThat(versions.out().lines().map(String::strip))
                .contains("1.0.0    2        66.67%", "2.0.0    1        33.33%", "3 devices of product CLIHEALTH");
        CliRun share = ota("fleet", "versions", "CLIHEALTH", "--query", "versions[?version=='2.0.0'].devices | [0]");
        assertThat(share.out().strip()).isEqualTo("1");

        CliRun created = ota(
                "--output",
                "json",
                "job",
                "create",
                "--product",
                "CLIHEALTH",
                "--version",
                "3.0.0",
                "--devices",
                "d1,d2,d3");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        String jobId = created.json().path("jobId").asText();
        assertThat(ota("job", "pause", jobId).exitCode()).isZero();

        CliRun health = ota("job", "health", jobId);
        assertThat(health.exitCode()).as(health.toString()).isZero();
        assertThat(health.out())
                .contains("created by", "arn:aws:iam::000000000000:user/local", "paused by")
                .contains("STAGE", "VERDICT", "failures by result code", "timeout");
        CliRun table = ota("--output", "table", "job", "health", jobId, "--query", "stages[].{stage:stage,size:size}");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.out().lines().map(String::strip)).contains("STAGE  SIZE", "1      3");
        assertThat(ota("--query", "job.pausedBy", "job", "status", jobId).out().strip())
                .isEqualTo("arn:aws:iam::000000000000:user/local");
    }

    @Test
    void recountChecksAJobsCountersAgainstItsRows() throws Exception {
        Path fw = file("recount.bin", 5000, 7);
        assertThat(ota(
                                "--no-progress",
                                "firmware",
                                "upload",
                                fw.toString(),
                                "--product",
                                "CLIRECOUNT",
                                "--version",
                                "3.0.0")
                        .exitCode())
                .isZero();
        byte[] answer = stack.invoke(
                "UpdateDevicesFunction",
                "{\"productId\":\"CLIRECOUNT\",\"version\":\"3.0.0\",\"deviceNames\":[\"d1\",\"d2\"]}"
                        .getBytes(StandardCharsets.UTF_8));
        String jobId = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(answer)
                .path("jobId")
                .asText();

        CliRun check = ota("job", "recount", jobId);
        assertThat(check.exitCode()).isZero();
        assertThat(check.out()).contains("consistent").contains("true").contains("delivered 2");

        CliRun repair = ota("--output", "json", "job", "recount", jobId, "--repair");
        assertThat(repair.exitCode()).isZero();
        assertThat(repair.out().replaceAll("\\s", ""))
                .as("nothing to repair")
                .contains("\"repaired\":false")
                .contains("\"consistent\":true");
    }

    @Test
    void jobCommandsReachTheApi() throws Exception {
        // An unknown job is NOT_FOUND.
        CliRun status = ota("job", "status", "job-123");
        assertThat(status.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(status.err()).contains("NOT_FOUND: ");
        assertThat(ota("job", "watch", "job-123").exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(ota("job", "pause", "job-123").exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(ota("job", "devices", "job-123", "--status", "failed").exitCode())
                .isEqualTo(ExitCodes.FAILED);
        assertThat(ota("job", "device-retry", "job-123", "d1").exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(ota("job", "recount", "job-123", "--repair").err()).contains("NOT_FOUND: ");
        assertThat(ota("device", "status", "CLIDEV", "d1").exitCode()).isEqualTo(ExitCodes.FAILED);
        CliRun badStatus = ota("job", "devices", "job-123", "--status", "LOST");
        assertThat(badStatus.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(badStatus.err()).contains("INVALID_REQUEST: status must be one of");
        // Failure actions are the API's to know: an unknown one is its 400, not a list kept in the CLI.
        CliRun badStage = ota(
                "job",
                "create",
                "--product",
                "CLISTAGE",
                "--version",
                "1.0.0",
                "--whole-product",
                "--stage",
                "10,on-failure=explode");
        assertThat(badStage.exitCode()).as(badStage.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(badStage.err()).contains("INVALID_REQUEST: stages[0].onFailure must be one of [PAUSE, ABORT]");
    }

    @Test
    void countTargetsUploadsTheDeviceFileCountsItAndCreatesNoJob() throws Exception {
        Path fw = file("count.bin", 3000, 5);
        assertThat(ota(
                                "--no-progress",
                                "firmware",
                                "upload",
                                fw.toString(),
                                "--product",
                                "CLICOUNT",
                                "--version",
                                "2.0.0")
                        .exitCode())
                .isZero();
        Path devices = Files.writeString(dir.resolve("count.txt"), "dev-1\ndev-2\ndev-1\nnot a name\ndev-3\n");

        CliRun run = ota(
                "--no-progress",
                "job",
                "create",
                "--product",
                "CLICOUNT",
                "--version",
                "2.0.0",
                "--device-file",
                devices.toString(),
                "--count-targets");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains(
                        "3 devices would be targeted",
                        "1 invalid device names would be skipped",
                        "1 repeated device names would be skipped");
        CliRun jobs = ota("--output", "json", "job", "list", "--product", "CLICOUNT");
        assertThat(jobs.json().path("items")).as(jobs.toString()).isEmpty();
    }

    @Test
    void jobCreateUploadsTheDeviceFileFirst() throws Exception {
        Path devices = Files.writeString(dir.resolve("devices.txt"), "dev-1\ndev-2\ndev-3\n");

        CliRun run = ota(
                "job",
                "create",
                "--product",
                "CLIFILE",
                "--version",
                "1.0.0",
                "--device-file",
                devices.toString(),
                "--rate",
                "100");

        assertThat(run.err()).contains("device list [##############################] 100%");
        // There is no firmware CLIFILE 1.0.0: the engine refuses the job after the file was uploaded.
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.err()).contains("FIRMWARE_NOT_AVAILABLE");
        try (S3Client s3 = stack.aws().s3()) {
            var listed = s3.listObjectsV2(r -> r.bucket(LocalStack.BUCKET).prefix("device-lists/CLIFILE/"))
                    .contents();
            assertThat(listed).hasSize(1);
            assertThat(s3.getObjectAsBytes(r -> r.bucket(LocalStack.BUCKET)
                                    .key(listed.get(0).key()))
                            .asUtf8String())
                    .isEqualTo("dev-1\ndev-2\ndev-3\n");
        }
    }

    @Test
    void wrongCredentialsExitWith4() {
        CliRun run = CliRun.run(
                env,
                StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(dev.ota.local.standin.EmbeddedS3.ACCESS_KEY, "wrong")),
                "firmware",
                "list");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIG);
        assertThat(run.err()).contains("access denied (403)", "signature we calculated does not match");
    }

    @Test
    void aRealProcessTakesCredentialsFromTheEnvironmentAndExitsWithTheCode() throws Exception {
        Path fw = file("proc.bin", 4096, 6);
        Process ok = process(
                "--output",
                "json",
                "--no-progress",
                "firmware",
                "upload",
                fw.toString(),
                "--product",
                "CLIPROC",
                "--version",
                "1.0.0");
        String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(ok.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ok.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ok.exitValue()).as(out + err).isZero();
        assertThat(Api.JSON.readTree(out).path("status").asText()).isEqualTo("AVAILABLE");

        Process missing = process("firmware", "describe", "--product", "CLIPROC", "--version", "9.9.9");
        missing.getInputStream().readAllBytes();
        assertThat(new String(missing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("NOT_FOUND");
        assertThat(missing.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(missing.exitValue()).isEqualTo(ExitCodes.FAILED);
    }

    private static Process process(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                OtaCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("OTA_API_URL", stack.apiEndpoint().toString());
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("AWS_ACCESS_KEY_ID", dev.ota.local.standin.EmbeddedS3.ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", dev.ota.local.standin.EmbeddedS3.SECRET_KEY);
        pb.environment().remove("AWS_PROFILE");
        pb.environment().remove("AWS_SESSION_TOKEN");
        return pb.start();
    }
}
