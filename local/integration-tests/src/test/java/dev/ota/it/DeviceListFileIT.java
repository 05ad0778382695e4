package dev.ota.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ota.domain.ExecutionStatus;
import dev.ota.domain.OperatorException;
import dev.ota.domain.job.JobStatus;
import dev.ota.local.stack.LocalStack;
import dev.ota.port.in.JobOperations.JobView;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A job over a device-list file: streamed in batches from S3 with a checkpoint after each (job
 * creation expands for a few seconds, the scheduler's worker resumes from the checkpoint), with
 * blank lines, comments, CRLF, invalid names and duplicates, and counts that come out exact.
 * The one-million-name run is DeviceListFileBenchmark.
 */
class DeviceListFileIT {

    /**
     * A stack of its own (a distinct parameter set): moto_server deep-copies every table for each
     * transaction, so thousands of rows here would slow every transaction of the other tests.
     */
    private static final java.util.Map<String, String> OWN_STACK = java.util.Map.of("UrlExpirySeconds", "3601");

    @Test
    void expandsAFileInBatchesWithExactCounts() throws Exception {
        try (JobFixture f = new JobFixture("FILE", SharedStack.get(OWN_STACK))) {
            f.firmware("7.0.0");
            int names = 4_000;
            StringBuilder file = new StringBuilder("# device list\r\n\r\n");
            for (int i = 0; i < names; i++) {
                file.append("  file-").append(i).append(i % 3 == 0 ? "\r\n" : "\n");
                if (i % 1000 == 7) {
                    file.append("file-").append(i - 5).append('\n'); // a duplicate, far from its first line
                    file.append("bad name/").append(i).append('\n'); // invalid: a space and a slash
                }
            }
            file.append("file-last"); // no newline at the end
            String key = "device-lists/" + f.product + "/targets.txt";
            try (S3Client s3 = f.stack.aws().s3()) {
                s3.putObject(
                        r -> r.bucket(LocalStack.BUCKET).key(key),
                        RequestBody.fromString(file.toString(), StandardCharsets.UTF_8));
            }
            String jobId = f.create(f.job("7.0.0").file(key).rate(20));
            f.tick();
            JobView job = f.jobs.describe(jobId);
            assertThat(job.state()).isEqualTo(JobStatus.IN_PROGRESS);
            assertThat(job.targetCount()).isEqualTo(names + 1);
            assertThat(job.stateReason())
                    .contains("4 invalid device names skipped")
                    .contains("4 duplicate names skipped");
            assertThat(f.count(jobId, ExecutionStatus.QUEUED) + f.count(jobId, ExecutionStatus.DELIVERED))
                    .isEqualTo(names + 1);
            assertThat(f.updatedDevices())
                    .as("the rate holds for file jobs too")
                    .hasSize(20);
            assertThat(f.updatedDevices().get(0)).isEqualTo("file-0");
            assertThat(f.stack.queues().deadLetters()).isEmpty();
        }
    }

    @Test
    void aMissingFileIsABadRequest() throws Exception {
        try (JobFixture f = new JobFixture("NOFILE")) {
            f.firmware("7.0.0");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> f.create(f.job("7.0.0").file("device-lists/none.txt")))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("no device-list file");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> f.create(f.job("7.0.0").file("elsewhere/list.txt")))
                    .isInstanceOf(OperatorException.class)
                    .hasMessageContaining("device-lists/");
        }
    }
}
